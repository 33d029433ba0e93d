package org.bootferry.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.bootferry.machine.Installs;
import org.bootferry.machine.MacAddress;

/**
 * Boot-once state: which machines have reported their install done. One small file per machine
 * under the state directory, written to a temporary name, synced and renamed, so a crash at any
 * point leaves either the old state or the new, never a torn file. Reading the file system on
 * every question (no cache) keeps {@code bootferry reset} from another process effective at once.
 */
public final class BootState implements Installs {

    private final Path dir;

    public BootState(Path stateDir) throws IOException {
        this.dir = stateDir.resolve("installed");
        Files.createDirectories(dir);
        try (Stream<Path> leftovers = Files.list(dir)) {
            for (Path p : leftovers.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()) {
                Files.deleteIfExists(p); // a write interrupted by a crash; its rename never happened
            }
        }
    }

    private Path file(MacAddress mac) {
        return dir.resolve(mac.dashed());
    }

    /** When the machine reported its install done; empty when it has not (or was reset). */
    @Override
    public Optional<Instant> installed(MacAddress mac) {
        try {
            return Optional.of(Instant.parse(Files.readString(file(mac), StandardCharsets.UTF_8).strip()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public void markInstalled(MacAddress mac, Instant when) throws IOException {
        Path target = file(mac);
        Path tmp = dir.resolve(mac.dashed() + "." + ProcessHandle.current().pid() + "." + Thread.currentThread().getId() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(StandardCharsets.UTF_8.encode(when + "\n"));
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        syncDirectory();
    }

    /** Forgets the install: the machine gets its install plan again. True when there was one. */
    @Override
    public boolean reset(MacAddress mac) throws IOException {
        boolean existed = Files.deleteIfExists(file(mac));
        syncDirectory();
        return existed;
    }

    /** The rename itself is durable only once the directory is synced. */
    private void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
