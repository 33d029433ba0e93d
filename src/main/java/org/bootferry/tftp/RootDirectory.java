package org.bootferry.tftp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Files under a directory, read-only. Symbolic links are followed only while they stay under the
 * directory, so a tftproot can link to shared loaders inside it but never out of it.
 */
public final class RootDirectory implements TftpFiles {

    /** Where Debian's {@code ipxe} package puts undionly.kpxe, ipxe.efi, snponly.efi and friends. */
    public static final Path DEBIAN_IPXE = Path.of("/usr/lib/ipxe");

    private final Path root;
    /**
     * Follow links out of the root: only for Debian's package directory, whose ipxe.efi is a link
     * to /boot/ipxe.efi. An admin's tftproot keeps every name inside it.
     */
    private final boolean trustLinks;

    public RootDirectory(Path root) throws IOException {
        this(root, false);
    }

    private RootDirectory(Path root, boolean trustLinks) throws IOException {
        this.trustLinks = trustLinks;
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "the TFTP root is not a directory");
        }
        this.root = root.toRealPath();
    }

    /**
     * The tftproot, then Debian's iPXE binaries for names it does not have, so that a fresh install
     * serves undionly.kpxe and ipxe.efi without copying them in.
     */
    public static TftpFiles withDebianIpxe(Path root) throws IOException {
        RootDirectory primary = new RootDirectory(root);
        return Files.isDirectory(DEBIAN_IPXE) ? TftpFiles.chain(primary, new RootDirectory(DEBIAN_IPXE, true)) : primary;
    }

    @Override
    public Optional<TftpFile> open(String name, InetSocketAddress client) throws TftpRefusal {
        Path real;
        try {
            real = root.resolve(name).toRealPath();
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new TftpRefusal(TftpError.ACCESS_VIOLATION, "cannot resolve '" + name + "': " + e.getMessage());
        }
        if (!trustLinks && !real.startsWith(root)) {
            throw new TftpRefusal(TftpError.ACCESS_VIOLATION, "'" + name + "' is a symbolic link leading out of the TFTP root");
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new TftpRefusal(TftpError.FILE_NOT_FOUND, "'" + name + "' is not a regular file");
        }
        try {
            // NOFOLLOW_LINKS: the real path has no links; if one was swapped in since, refuse it.
            return Optional.of(TftpFile.of(FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)));
        } catch (AccessDeniedException e) {
            throw new TftpRefusal(TftpError.ACCESS_VIOLATION, "'" + name + "' is not readable by the server");
        } catch (IOException e) {
            throw new TftpRefusal(TftpError.NOT_DEFINED, "cannot read '" + name + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
