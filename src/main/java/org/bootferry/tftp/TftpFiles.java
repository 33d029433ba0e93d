package org.bootferry.tftp;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * Where the TFTP server finds what a name stands for: a directory, generated per-machine files, or a
 * chain of these. The server has already made the name safe by the rules every loader name follows
 * ({@link org.bootferry.loader.LoaderFiles#normalise}), so a source only maps it.
 */
@FunctionalInterface
public interface TftpFiles {

    /**
     * Opens {@code name} for {@code client}. May block (disk, a container image being pulled): the
     * server calls it off its event loops.
     *
     * @param name   a relative name, '/'-separated, with no '.', '..' or empty segments
     * @return the content, or empty when this source has no such name (the next source is asked;
     *         when none has it the client gets ERROR 1)
     * @throws TftpRefusal when the name exists here but must not be served; no other source is asked
     */
    Optional<TftpFile> open(String name, InetSocketAddress client) throws TftpRefusal;

    /** Asks each source in turn; the first that has the name serves it. */
    static TftpFiles chain(TftpFiles... sources) {
        List<TftpFiles> list = List.of(sources);
        return (name, client) -> {
            for (TftpFiles source : list) {
                Optional<TftpFile> file = source.open(name, client);
                if (file.isPresent()) {
                    return file;
                }
            }
            return Optional.empty();
        };
    }
}
