package org.bootferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;

/** Writes a config directory for a test, file by file, as an admin would. */
public final class ConfigDir {

    private final Path dir;

    public ConfigDir(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** A copy of the config directory {@code source} (e.g. the shipped {@code config/}) in {@code dir}. */
    public static ConfigDir copyOf(Path source, Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path target = dir.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return new ConfigDir(dir);
    }

    /** {@code error} as {@code file:line: message} with the file's name only, as a test expects it. */
    public static String inFile(ConfigError error) {
        return error.file().getFileName() + ":" + error.line() + ": " + error.message();
    }

    /** The load's errors, then what {@code check} finds in it, each {@link #inFile}. */
    public static List<String> errors(ConfigSnapshot snapshot, Function<ConfigSnapshot, List<ConfigError>> check) {
        List<ConfigError> all = new ArrayList<>(snapshot.errors());
        all.addAll(check.apply(snapshot));
        return all.stream().map(ConfigDir::inFile).toList();
    }

    /** A config directory in {@code dir} with only this server.yaml, loaded as the server loads it. */
    public static ConfigSnapshot withServerYaml(Path dir, String... lines) {
        return ConfigLoader.load(new ConfigDir(dir).file("server.yaml", lines).dir());
    }

    /**
     * Writes the server.yaml of a server on loopback for a test: HTTP and TFTP on these ports (0: any
     * free one), no DHCP, its tftproot (made here), state and cache in {@code work}; then {@code more}.
     */
    public ConfigDir loopbackServer(Path work, int httpPort, int tftpPort, String... more) {
        Path tftpRoot = work.resolve("tftproot");
        try {
            Files.createDirectories(tftpRoot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> lines = new ArrayList<>(List.of("bind: 127.0.0.1", "advertise: 127.0.0.1", "httpPort: " + httpPort,
                "tftpPort: " + tftpPort, "dhcp: false", "tftpRoot: " + tftpRoot, "state: " + work.resolve("state"),
                "cache: " + work.resolve("cache")));
        lines.addAll(List.of(more));
        return file("server.yaml", lines.toArray(String[]::new));
    }

    /** Writes {@code relative} (e.g. {@code machines/52-54-00-12-34-56.yaml}) with the given lines. */
    public ConfigDir file(String relative, String... lines) {
        Path file = dir.resolve(relative);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Writes {@code size} bytes of deterministic content, e.g. a fake kernel. */
    public Path blob(String relative, int size) {
        Path file = dir.resolve(relative);
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 8));
        }
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
