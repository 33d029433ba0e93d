package org.bootferry.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The server's capability key ({@code boot/Capabilities}), {@code capability.key} in the state
 * directory: 32 random bytes, made once and kept, so that capabilities handed out before a restart
 * still open their URLs after it (an install runs on while the server restarts). Readable by its
 * owner only: whoever reads it can make any machine's capability.
 */
public final class CapabilityKey {

    /** The key's name in the state directory. */
    public static final String FILE = "capability.key";
    static final int BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private CapabilityKey() {
    }

    /**
     * The key of state directory {@code dir}, made now if it has none.
     *
     * @throws IOException saying what is wrong: unreadable, not 32 bytes, or readable by others
     */
    public static byte[] load(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            create(dir, file);
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(mode)) {
            throw new IOException(file + " is readable by others (" + PosixFilePermissions.toString(mode)
                    + "): whoever reads it can open any machine's install files; chmod 600 it");
        }
        byte[] key = Files.readAllBytes(file);
        if (key.length != BYTES) {
            throw new IOException(file + " holds " + key.length + " bytes, not " + BYTES
                    + ": delete it and a new key is made (capabilities handed out so far stop working)");
        }
        return key;
    }

    /**
     * Written whole under a temporary name, then linked to its name: a link never replaces, so when
     * two processes race, one key wins and both read it, and a crash leaves no half key.
     */
    private static void create(Path dir, Path file) throws IOException {
        byte[] key = new byte[BYTES];
        new SecureRandom().nextBytes(key);
        Path tmp = Files.createTempFile(dir, FILE, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap(key));
                out.force(true);
            }
            Files.createLink(file, tmp);
        } catch (FileAlreadyExistsException raced) {
            // Another process made it first: its key is the one.
        } finally {
            Files.delete(tmp);
        }
    }
}
