package org.bootferry.tftp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.bootferry.loader.LoaderFiles;

/** The loaders on disk ({@link LoaderFiles}: the tftproot, then Debian's iPXE) as TFTP files. */
public final class RootDirectory implements TftpFiles {

    private final LoaderFiles files;

    public RootDirectory(LoaderFiles files) {
        this.files = files;
    }

    /** The tftproot alone. */
    public RootDirectory(Path root) throws IOException {
        this(LoaderFiles.directory(root));
    }

    @Override
    public Optional<TftpFile> open(String name, InetSocketAddress client) throws TftpRefusal {
        Optional<Path> real;
        try {
            real = files.find(name);
        } catch (LoaderFiles.Refusal e) {
            throw new TftpRefusal(TftpError.ACCESS_VIOLATION, e.getMessage());
        }
        if (real.isEmpty()) {
            return Optional.empty();
        }
        try {
            // NOFOLLOW_LINKS: the real path has no links; if one was swapped in since, refuse it.
            return Optional.of(TftpFile.of(FileChannel.open(real.get(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)));
        } catch (AccessDeniedException e) {
            throw new TftpRefusal(TftpError.ACCESS_VIOLATION, "'" + name + "' is not readable by the server");
        } catch (IOException e) {
            throw new TftpRefusal(TftpError.NOT_DEFINED, "cannot read '" + name + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return files.toString();
    }
}
