package org.bootferry.tftp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.Optional;
import org.bootferry.loader.LoaderFiles;

/**
 * The loaders on disk ({@link LoaderFiles}: the tftproot, then Debian's iPXE) as TFTP files; the small
 * ones from one shared copy each ({@link SmallFiles}).
 */
public final class RootDirectory implements TftpFiles {

    private final LoaderFiles files;
    private final SmallFiles contents = new SmallFiles();

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
            // The real path has no links; if one was swapped in since, it is refused (not followed).
            return Optional.of(contents.open(real.get()));
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
