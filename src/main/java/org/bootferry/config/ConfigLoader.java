package org.bootferry.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads a config directory into a {@link ConfigSnapshot}. Every file is checked on its own; a file
 * with an error is left out of the snapshot and its error listed, so one bad machine file never
 * hides the others.
 */
public final class ConfigLoader {

    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");
    private static final String DEFAULT_MACHINE = "default";

    private final Path dir;
    private final Map<String, Object> overrides;
    private final List<ConfigError> errors = new ArrayList<>();

    private ConfigLoader(Path dir, Map<String, Object> overrides) {
        this.dir = dir;
        this.overrides = overrides;
    }

    public static ConfigSnapshot load(Path dir) {
        return load(dir, Map.of());
    }

    /**
     * @param overrides server.yaml keys set on the command line (e.g. {@code httpPort → 8081});
     *                  they win over the file
     */
    public static ConfigSnapshot load(Path dir, Map<String, Object> overrides) {
        return new ConfigLoader(dir, overrides).load();
    }

    /** server.yaml as written: every key optional. */
    private record ServerFile(
            String bind, String advertise, Integer httpPort, Integer tftpPort, Integer dhcpPort,
            Integer pxePort, Boolean dhcp, String tftpRoot, String cache, Map<String, String> loaders) {
    }

    private ConfigSnapshot load() {
        if (!Files.isDirectory(dir)) {
            errors.add(new ConfigError(dir, 0, "config directory not found"));
            return new ConfigSnapshot(dir, settings(emptyServerFile()), Map.of(), Optional.empty(), Map.of(),
                    Map.of(), errors);
        }
        ServerSettings settings = settings(readServerFile());
        Map<String, String> templates = readTemplates();
        Map<String, ConfigSnapshot.ProfileFile> profiles = new HashMap<>();
        for (Path file : yamlFiles(dir.resolve("profiles"))) {
            String name = baseName(file);
            readMachineConfig(file, templates).ifPresent(c -> profiles.put(name, new ConfigSnapshot.ProfileFile(file, name, c)));
        }
        Map<MacAddress, MachineFile> machines = new TreeMap<>();
        Optional<MachineFile> defaultMachine = Optional.empty();
        for (Path file : yamlFiles(dir.resolve("machines"))) {
            String name = baseName(file);
            Optional<MacAddress> mac = Optional.empty();
            if (!name.equals(DEFAULT_MACHINE)) {
                if (!MacAddress.isMac(name)) {
                    errors.add(new ConfigError(file, 0, "file name is not a MAC address: name machine files by"
                            + " their MAC, e.g. 52-54-00-12-34-56.yaml, or default.yaml for unknown machines"));
                    continue;
                }
                mac = Optional.of(MacAddress.parse(name));
                MachineFile other = machines.get(mac.get());
                if (other != null) {
                    errors.add(new ConfigError(file, 0, "MAC " + mac.get() + " also has " + other.file()
                            + ": keep one file per MAC"));
                    continue;
                }
            }
            Optional<MacAddress> owner = mac;
            Optional<MachineConfig> config = readMachineConfig(file, templates)
                    .filter(c -> profileExists(file, c, profiles));
            if (config.isEmpty()) {
                continue;
            }
            MachineFile machine = new MachineFile(file, owner, config.get());
            if (owner.isPresent()) {
                machines.put(owner.get(), machine);
            } else {
                defaultMachine = Optional.of(machine);
            }
        }
        return new ConfigSnapshot(dir, settings, machines, defaultMachine, profiles, templates, errors);
    }

    private ServerFile emptyServerFile() {
        return new ServerFile(null, null, null, null, null, null, null, null, null, null);
    }

    private ServerFile readServerFile() {
        Path file = dir.resolve("server.yaml");
        ServerFile fromFile = emptyServerFile();
        if (Files.exists(file)) {
            YamlFiles.Read<ServerFile> read = YamlFiles.read(file, ServerFile.class);
            read.error().ifPresent(errors::add);
            fromFile = read.value().orElse(fromFile);
        }
        if (overrides.isEmpty()) {
            return fromFile;
        }
        Map<String, Object> merged = YamlFiles.MAPPER.convertValue(fromFile, new TypeReference<LinkedHashMap<String, Object>>() { });
        merged.putAll(overrides);
        try {
            return YamlFiles.MAPPER.readValue(YamlFiles.MAPPER.writeValueAsString(merged), ServerFile.class);
        } catch (JsonProcessingException e) {
            errors.add(new ConfigError(Path.of("command line"), 0, YamlFiles.describe(e)));
            return fromFile;
        }
    }

    private ServerSettings settings(ServerFile f) {
        Path file = dir.resolve("server.yaml");
        String bind = f.bind() != null ? f.bind() : "0.0.0.0";
        checkAddress(file, "bind", bind);
        Optional<String> advertise = Optional.ofNullable(f.advertise());
        advertise.ifPresent(a -> checkAddress(file, "advertise", a));
        Map<String, String> loaders = new LinkedHashMap<>(ServerSettings.DEFAULT_LOADERS);
        if (f.loaders() != null) {
            loaders.putAll(f.loaders());
        }
        Path parent = dir.toAbsolutePath().normalize().getParent();
        return new ServerSettings(
                bind,
                advertise,
                port(file, "httpPort", f.httpPort(), 8080),
                port(file, "tftpPort", f.tftpPort(), 69),
                port(file, "dhcpPort", f.dhcpPort(), 67),
                port(file, "pxePort", f.pxePort(), 4011),
                f.dhcp() == null || f.dhcp(),
                f.tftpRoot() != null ? dir.resolve(f.tftpRoot()).normalize() : parent.resolve("tftproot"),
                f.cache() != null ? dir.resolve(f.cache()).normalize() : parent.resolve("cache"),
                loaders);
    }

    private int port(Path file, String key, Integer value, int fallback) {
        int port = value != null ? value : fallback;
        if (port < 0 || port > 65535) {
            errors.add(new ConfigError(file, 0, "'" + key + "': " + port + " is not a port (1-65535, or 0 for any free port)"));
            return fallback;
        }
        return port;
    }

    private void checkAddress(Path file, String key, String address) {
        // Only literal addresses: a name would make every start depend on DNS.
        if (!address.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            errors.add(new ConfigError(file, 0, "'" + key + "': '" + address + "' is not an IP address"));
            return;
        }
        try {
            InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            errors.add(new ConfigError(file, 0, "'" + key + "': '" + address + "' is not an IP address"));
        }
    }

    private Map<String, String> readTemplates() {
        Path templatesDir = dir.resolve("templates");
        Map<String, String> templates = new HashMap<>();
        for (Path file : listFiles(templatesDir)) {
            try {
                templates.put(templatesDir.relativize(file).toString(), Files.readString(file));
            } catch (CharacterCodingException e) {
                errors.add(new ConfigError(file, 0, "not UTF-8 text"));
            } catch (IOException e) {
                errors.add(new ConfigError(file, 0, "cannot read: " + e.getMessage()));
            }
        }
        return templates;
    }

    private Optional<MachineConfig> readMachineConfig(Path file, Map<String, String> templates) {
        YamlFiles.Read<MachineConfig> read = YamlFiles.read(file, MachineConfig.class);
        read.error().ifPresent(errors::add);
        if (read.value().isEmpty()) {
            return Optional.empty();
        }
        MachineConfig c = read.value().get();
        List<String> lines = read.lines();
        int before = errors.size();
        MachineConfig.KernelBoot kb = c.kernelBoot();
        if (kb != null) {
            if (kb.container() != null && kb.files() != null) {
                error(file, lines, "container", "kernelBoot has both 'container' and 'files': choose one");
            }
            if (kb.container() != null) {
                checkContainer(file, lines, kb.container());
            }
            if (kb.files() != null) {
                kb = new MachineConfig.KernelBoot(kb.container(), resolveFiles(file, lines, kb.files()), kb.kernelArgs());
            }
        }
        if (c.kickstart() != null && !templates.containsKey(c.kickstart())) {
            error(file, lines, "kickstart", "template '" + c.kickstart() + "' not found in " + dir.resolve("templates"));
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new MachineConfig(c.hostname(), c.profile(), kb, c.kickstart(), c.vars(), c.bootOnce()));
    }

    private void checkContainer(Path file, List<String> lines, MachineConfig.Container container) {
        if (container.image() == null || container.image().isBlank()) {
            error(file, lines, "container", "kernelBoot.container needs 'image'");
        }
        if (container.imagePullPolicy() != null && !PULL_POLICIES.contains(container.imagePullPolicy())) {
            error(file, lines, "imagePullPolicy", "imagePullPolicy '" + container.imagePullPolicy()
                    + "' is not one of Always, IfNotPresent, Never");
        }
        if (container.imagePullSecret() != null
                && !Files.isRegularFile(dir.resolve("secrets").resolve(container.imagePullSecret() + ".json"))) {
            error(file, lines, "imagePullSecret", "secret '" + container.imagePullSecret() + "' not found: expected "
                    + dir.resolve("secrets").resolve(container.imagePullSecret() + ".json"));
        }
    }

    private MachineConfig.Files resolveFiles(Path file, List<String> lines, MachineConfig.Files files) {
        if (files.kernel() == null) {
            error(file, lines, "files", "kernelBoot.files needs 'kernel'");
            return files;
        }
        String kernel = existing(file, lines, "kernel", files.kernel());
        List<String> initrds = new ArrayList<>();
        for (String initrd : files.initrd() == null ? List.<String>of() : files.initrd()) {
            initrds.add(existing(file, lines, "initrd", initrd));
        }
        return new MachineConfig.Files(kernel, initrds);
    }

    private String existing(Path file, List<String> lines, String key, String path) {
        Path resolved = dir.resolve(path).toAbsolutePath().normalize();
        if (!Files.isRegularFile(resolved) || !Files.isReadable(resolved)) {
            error(file, lines, key, key + " file not found or not readable: " + resolved);
        }
        return resolved.toString();
    }

    private boolean profileExists(Path file, MachineConfig config, Map<String, ConfigSnapshot.ProfileFile> profiles) {
        if (config.profile() == null || profiles.containsKey(config.profile())) {
            return true;
        }
        errors.add(new ConfigError(file, YamlFiles.lineOf(readLines(file), "profile"), "profile '" + config.profile()
                + "' not found" + YamlFiles.closest(config.profile(), profiles.keySet())
                        .map(s -> " (did you mean '" + s + "'?)").orElse("") + ": expected " + dir.resolve("profiles")
                        .resolve(config.profile() + ".yaml")));
        return false;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    private void error(Path file, List<String> lines, String key, String message) {
        errors.add(new ConfigError(file, YamlFiles.lineOf(lines, key), message));
    }

    /** The YAML files of a directory; anything else there is an error, but editor swap and backup files. */
    private List<Path> yamlFiles(Path directory) {
        List<Path> yaml = new ArrayList<>();
        for (Path file : listFiles(directory)) {
            String name = file.getFileName().toString();
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                yaml.add(file);
            } else if (!name.startsWith(".") && !name.endsWith("~")) {
                errors.add(new ConfigError(file, 0, "not a .yaml file: rename it or move it out of " + directory));
            }
        }
        return yaml;
    }

    private List<Path> listFiles(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !directory.relativize(p).toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            errors.add(new ConfigError(directory, 0, "cannot list: " + e.getMessage()));
            return List.of();
        }
    }

    private static String baseName(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.lastIndexOf('.'));
    }
}
