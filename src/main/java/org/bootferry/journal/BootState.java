package org.bootferry.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.bootferry.lang.AtomicFile;
import org.bootferry.machine.Installs;
import org.bootferry.machine.MacAddress;

/**
 * Boot-once state: which machines have reported their install done. One small file per machine
 * under the state directory, replaced atomically ({@link AtomicFile}). Reading the file system on
 * every question (no cache) keeps {@code bootferry reset} from another process effective at once.
 */
public final class BootState implements Installs {

    private final Path dir;

    public BootState(Path stateDir) throws IOException {
        this.dir = stateDir.resolve("installed");
        Files.createDirectories(dir);
        try (Stream<Path> leftovers = Files.list(dir)) {
            for (Path p : leftovers.filter(p -> p.getFileName().toString().endsWith(AtomicFile.TMP_SUFFIX)).toList()) {
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
        AtomicFile.write(file(mac), (when + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Forgets the install: the machine gets its install plan again. True when there was one. */
    @Override
    public boolean reset(MacAddress mac) throws IOException {
        boolean existed = Files.deleteIfExists(file(mac));
        AtomicFile.syncDirectory(dir);
        return existed;
    }
}
