package org.bootferry.config;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The secrets install-file templates name as {@code {{secrets.NAME.KEY}}}: {@code secrets/NAME.yaml}
 * (or {@code .yml}, {@code .json}), a mapping of keys to text values. They are read when a machine's
 * install file is rendered, never kept in a {@link ConfigSnapshot}: whatever shows a snapshot (the
 * API, the status page, explain) has no secret to show. Errors name the file, line and key; never a
 * value.
 */
public final class Secrets {

    private static final List<String> EXTENSIONS = List.of(".yaml", ".yml", ".json");

    private final Path dir;

    /** @param configDir the config directory; its {@code secrets/} holds them */
    public Secrets(Path configDir) {
        this.dir = configDir.resolve("secrets");
    }

    /** The names of the secrets there are, for a message saying which are known. */
    public List<String> names() {
        TreeSet<String> names = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    extension(f).ifPresent(ext -> names.add(base(f, ext)));
                }
            } catch (IOException e) {
                return List.of();
            }
        }
        return List.copyOf(names);
    }

    /**
     * Secret {@code name}'s keys and values; empty when there is no file of that name.
     *
     * @throws ConfigException naming the file, line and key of what is wrong with it
     */
    public Optional<Map<String, String>> read(String name) {
        List<Path> files = new ArrayList<>();
        for (String ext : EXTENSIONS) {
            Path f = dir.resolve(name + ext);
            if (f.getParent().equals(dir) && Files.exists(f)) {
                files.add(f);
            }
        }
        if (files.isEmpty()) {
            return Optional.empty();
        }
        if (files.size() > 1) {
            throw new ConfigException(List.of(new ConfigError(files.get(1), 0, "secret '" + name + "' also has "
                    + files.get(0).getFileName() + ": keep one file per secret")));
        }
        YamlFiles.Read<SecretFile> read = YamlFiles.read(dir.getParent(), files.get(0), SecretFile.class);
        if (read.error().isPresent()) {
            throw new ConfigException(List.of(read.error().get()));
        }
        Map<String, String> values = read.value().orElseThrow().values();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getValue() == null) {
                throw new ConfigException(List.of(new ConfigError(files.get(0),
                        YamlFiles.lineOf(read.lines(), e.getKey()), "'" + e.getKey() + "' has no value")));
            }
        }
        return Optional.of(values);
    }

    private static Optional<String> extension(Path file) {
        String n = file.getFileName().toString();
        return EXTENSIONS.stream().filter(n::endsWith).findFirst();
    }

    private static String base(Path file, String extension) {
        String n = file.getFileName().toString();
        return n.substring(0, n.length() - extension.length());
    }

    /** A secret file as bound: keys to text values (a nested mapping or list is a type error, at its line). */
    record SecretFile(Map<String, String> values) {
        @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
        SecretFile {
            values = new TreeMap<>(values);
        }
    }
}
