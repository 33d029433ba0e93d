package org.bootferry.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bootferry.lang.Spelling;
import org.bootferry.machine.MacAddress;

/**
 * Reads a config directory into a {@link ConfigSnapshot}. Every file is checked on its own; a file
 * with an error is listed with its error and left out of the snapshot, or, when an earlier load of
 * this loader read a good version of it, that version stays in force: one bad edit never hides the
 * other files, nor takes a working machine away.
 *
 * <p>A loader remembers what it parsed, keyed by each file's size and modification time, so a
 * reload after one edit parses one file.
 */
public final class ConfigLoader {

    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");
    private static final String DEFAULT_MACHINE = "default";

    private final Path dir;
    private final Map<String, Object> overrides;
    /** The last parse of each YAML file, reused while the file is unchanged. */
    private final Map<Path, Parsed> parsed = new HashMap<>();
    /** The last version of each file that loaded and passed the checks: machines and profiles, templates. */
    private Map<Path, MachineConfig> lastGood = Map.of();
    private Map<Path, String> lastGoodTemplates = Map.of();
    private ServerSettings lastGoodSettings;
    /** What the latest load read without error; becomes the last good versions on {@link #commit()}. */
    private final Map<Path, MachineConfig> loadedGood = new HashMap<>();
    private final Map<Path, String> loadedGoodTemplates = new HashMap<>();
    private ServerSettings loadedSettings;
    /** Errors found after loading (by a check across files), held against the file version they were found in. */
    private final Map<Path, Rejected> rejected = new HashMap<>();

    /** What each machine file contributed to the latest load, by path (sorted: errors come in file order). */
    private final Map<Path, Outcome> outcomes = new TreeMap<>();
    /** The errors of everything but machine files, and the snapshot, of the latest load. */
    private List<ConfigError> sharedErrors = List.of();
    private ConfigSnapshot last;

    // Per load:
    private List<ConfigError> errors;
    /** server.yaml's lines, for the line numbers of errors found after binding. */
    private List<String> serverLines = List.of();
    private Set<String> brokenProfiles;

    private record FileVersion(long size, long modifiedNanos) {
    }

    private record Parsed(FileVersion version, YamlFiles.Read<MachineConfig> read) {
    }

    private record Rejected(FileVersion version, ConfigError error) {
    }

    /**
     * @param overrides server.yaml keys set on the command line (e.g. {@code httpPort → 8081});
     *                  they win over the file
     */
    public ConfigLoader(Path dir, Map<String, Object> overrides) {
        this.dir = dir;
        this.overrides = Map.copyOf(overrides);
    }

    public static ConfigSnapshot load(Path dir) {
        return load(dir, Map.of());
    }

    public static ConfigSnapshot load(Path dir, Map<String, Object> overrides) {
        return new ConfigLoader(dir, overrides).load();
    }

    public Path dir() {
        return dir;
    }

    /**
     * Marks the file an error names as bad in its current version, for errors only a check across
     * files finds (an unknown template variable): later loads use its last good version instead,
     * until the file changes again.
     */
    public synchronized void reject(ConfigError error) {
        version(error.file()).ifPresent(v -> rejected.put(error.file(), new Rejected(v, error)));
    }

    private Optional<FileVersion> version(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return Optional.of(new FileVersion(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The rejection of the file's current version, if any; stale rejections are dropped. */
    private Optional<ConfigError> rejection(Path file, Optional<FileVersion> version) {
        Rejected r = rejected.get(file);
        if (r == null) {
            return Optional.empty();
        }
        if (version.isPresent() && r.version().equals(version.get())) {
            return Optional.of(r.error());
        }
        rejected.remove(file);
        return Optional.empty();
    }

    /** server.yaml as written: every key optional. */
    private record ServerFile(
            String bind, String advertise, Integer httpPort, Integer tftpPort, Integer dhcpPort,
            Integer pxePort, Boolean dhcp, String tftpRoot, String cache, Map<String, String> loaders, String state,
            ApiFile api, ImagesFile images, ChainloadFile chainload, TftpFile tftp) {
    }

    /** The {@code tftp:} section of server.yaml. */
    private record TftpFile(Integer maxBlockSize, Integer maxWindowSize, Integer timeoutMillis, Integer maxRetries,
            Integer maxSessions, Integer rolloverTo) {
    }

    /** The {@code chainload:} section of server.yaml. */
    private record ChainloadFile(String ipxe) {
    }

    /** The {@code api:} section of server.yaml. */
    private record ApiFile(String token, List<String> allowFrom) {
    }

    /** The {@code images:} section of server.yaml. */
    private record ImagesFile(String cacheLimit, List<String> insecureRegistries, Boolean staleOk, Integer pullTimeout) {
    }

    /** A registry as image references name it: host or [IPv6], optional port (no scheme, no path). */
    private static final Pattern REGISTRY = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

    /**
     * Makes the files of the latest load the last good versions, once it has passed the checks
     * across files; until then an error found by those checks can still {@link #reject} a file.
     */
    public synchronized void commit() {
        lastGood = Map.copyOf(loadedGood);
        lastGoodTemplates = Map.copyOf(loadedGoodTemplates);
        if (loadedSettings != null) {
            lastGoodSettings = loadedSettings;
        }
    }

    /** Reads the directory as it is now. */
    public synchronized ConfigSnapshot load() {
        errors = new ArrayList<>();
        brokenProfiles = new HashSet<>();
        loadedGood.clear();
        loadedGoodTemplates.clear();
        loadedSettings = null;
        if (!Files.isDirectory(dir)) {
            errors.add(new ConfigError(dir, 0, "config directory not found"));
            return new ConfigSnapshot(dir, settings(emptyServerFile()), Map.of(), Optional.empty(), Map.of(),
                    Map.of(), errors);
        }
        int before = errors.size();
        ServerSettings settings = settings(readServerFile());
        if (errors.size() > before && lastGoodSettings != null) {
            settings = lastGoodSettings;
        } else if (errors.size() == before) {
            loadedSettings = settings;
        }
        Map<String, String> templates = readTemplates();
        Map<String, ConfigSnapshot.ProfileFile> profiles = new HashMap<>();
        for (Path file : yamlFiles(dir.resolve("profiles"))) {
            String name = baseName(file);
            // A profile's own profile: is followed (and a missing one reported) by the planner's check.
            Optional<MachineConfig> profile = readMachineConfig(file, templates, null);
            if (profile.isPresent()) {
                profiles.put(name, new ConfigSnapshot.ProfileFile(file, name, profile.get()));
            } else {
                brokenProfiles.add(name);
            }
        }
        sharedErrors = List.copyOf(errors);
        outcomes.clear();
        for (Path file : listFiles(dir.resolve("machines"))) {
            if (isConfigFileName(file)) {
                outcomes.put(file, readMachineFile(file, templates, profiles));
            }
        }
        parsed.keySet().removeIf(p -> !Files.exists(p));
        last = assemble(settings, profiles, templates);
        return last;
    }

    /**
     * Reads again only the files named, when all of them are machine files and an earlier load
     * read everything else; otherwise the whole directory. This is how a watcher's event about one
     * file is applied in milliseconds among ten thousand machines.
     */
    public synchronized ConfigSnapshot load(Set<Path> changed) {
        Path machinesDir = dir.resolve("machines");
        Set<Path> paths = new HashSet<>(changed);
        paths.addAll(rejected.keySet());
        if (last == null || paths.stream().anyMatch(p -> !machinesDir.equals(p.getParent()) || Files.isDirectory(p))) {
            return load();
        }
        errors = new ArrayList<>();
        for (Path file : paths) {
            loadedGood.remove(file);
            if (isConfigFileName(file) && Files.isRegularFile(file)) {
                outcomes.put(file, readMachineFile(file, last.templates(), last.profiles()));
            } else {
                outcomes.remove(file);
                parsed.remove(file);
            }
        }
        last = assemble(last.settings(), last.profiles(), last.templates());
        return last;
    }

    /** What one machine file contributed: its machine (possibly its last good version) and its errors. */
    private record Outcome(Optional<MachineFile> machine, List<ConfigError> errors) {
    }

    private Outcome readMachineFile(Path file, Map<String, String> templates,
            Map<String, ConfigSnapshot.ProfileFile> profiles) {
        int before = errors.size();
        Optional<MachineFile> machine = Optional.empty();
        String name = file.getFileName().toString();
        if (!name.endsWith(".yaml") && !name.endsWith(".yml")) {
            errors.add(new ConfigError(file, 0, "not a .yaml file: rename it or move it out of " + file.getParent()));
        } else if (!baseName(file).equals(DEFAULT_MACHINE) && !MacAddress.isMac(baseName(file))) {
            errors.add(new ConfigError(file, 0, "file name is not a MAC address: name machine files by"
                    + " their MAC, e.g. 52-54-00-12-34-56.yaml, or default.yaml for unknown machines"));
        } else {
            Optional<MacAddress> mac = baseName(file).equals(DEFAULT_MACHINE) ? Optional.empty()
                    : Optional.of(MacAddress.parse(baseName(file)));
            machine = readMachineConfig(file, templates, profiles).map(c -> new MachineFile(file, mac, c));
        }
        List<ConfigError> own = List.copyOf(errors.subList(before, errors.size()));
        errors.subList(before, errors.size()).clear();
        return new Outcome(machine, own);
    }

    /** The snapshot from the shared parts and every machine file's outcome, in file name order. */
    private ConfigSnapshot assemble(ServerSettings settings, Map<String, ConfigSnapshot.ProfileFile> profiles,
            Map<String, String> templates) {
        List<ConfigError> all = new ArrayList<>(sharedErrors);
        Map<MacAddress, MachineFile> machines = new HashMap<>();
        Optional<MachineFile> defaultMachine = Optional.empty();
        for (Map.Entry<Path, Outcome> e : outcomes.entrySet()) {
            all.addAll(e.getValue().errors());
            Optional<MachineFile> machine = e.getValue().machine();
            if (machine.isEmpty()) {
                continue;
            }
            if (machine.get().mac().isEmpty()) {
                defaultMachine = machine;
                continue;
            }
            MachineFile other = machines.putIfAbsent(machine.get().mac().get(), machine.get());
            if (other != null) {
                all.add(new ConfigError(e.getKey(), 0, "MAC " + other.mac().get() + " also has " + other.file()
                        + ": keep one file per MAC"));
            }
        }
        return new ConfigSnapshot(dir, settings, machines, defaultMachine, profiles, templates, all);
    }

    private static boolean isConfigFileName(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && !name.endsWith("~");
    }

    private ServerFile emptyServerFile() {
        return new ServerFile(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    private ServerFile readServerFile() {
        Path file = dir.resolve("server.yaml");
        ServerFile fromFile = emptyServerFile();
        serverLines = List.of();
        if (Files.exists(file)) {
            YamlFiles.Read<ServerFile> read = YamlFiles.read(file, ServerFile.class);
            read.error().ifPresent(errors::add);
            fromFile = read.value().orElse(fromFile);
            serverLines = read.lines();
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
                loaders,
                f.state() != null ? dir.resolve(f.state()).normalize() : parent.resolve("state"),
                api(file, f.api()),
                images(file, f.images()),
                chainload(file, f.chainload()),
                tftp(file, f.tftp()));
    }

    private ServerSettings.Tftp tftp(Path file, TftpFile t) {
        ServerSettings.Tftp d = ServerSettings.Tftp.DEFAULT;
        if (t == null) {
            return d;
        }
        if (t.rolloverTo() != null && t.rolloverTo() != 0 && t.rolloverTo() != 1) {
            serverError(file, "rolloverTo", "tftp.rolloverTo: " + t.rolloverTo() + " is neither 0 (after block 65535"
                    + " comes 0, as tftp-hpa and most clients expect) nor 1");
        }
        return new ServerSettings.Tftp(
                range(file, "maxBlockSize", t.maxBlockSize(), d.maxBlockSize(), 8, 65464),
                range(file, "maxWindowSize", t.maxWindowSize(), d.maxWindowSize(), 1, 64),
                Duration.ofMillis(range(file, "timeoutMillis", t.timeoutMillis(), (int) d.timeout().toMillis(), 10, 255_000)),
                range(file, "maxRetries", t.maxRetries(), d.maxRetries(), 0, 100),
                range(file, "maxSessions", t.maxSessions(), d.maxSessions(), 1, 1_000_000),
                t.rolloverTo() != null && t.rolloverTo() == 1);
    }

    /** A whole number of the {@code tftp:} section within its range, or its default with an error. */
    private int range(Path file, String key, Integer value, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            serverError(file, key, "tftp." + key + ": " + value + " is out of range (" + min + "-" + max + ")");
            return fallback;
        }
        return value;
    }

    private ServerSettings.Images images(Path file, ImagesFile images) {
        if (images == null) {
            return new ServerSettings.Images(0, List.of(), false, ServerSettings.Images.DEFAULT_PULL_TIMEOUT);
        }
        long limit = 0;
        if (images.cacheLimit() != null) {
            Optional<Long> parsed = ByteSize.parse(images.cacheLimit());
            if (parsed.isEmpty()) {
                serverError(file, "cacheLimit", "images.cacheLimit: '" + images.cacheLimit() + "' is not a size"
                        + " (write e.g. 20GiB, 500MB, or 0 for no limit)");
            } else {
                limit = parsed.get();
            }
        }
        List<String> insecure = images.insecureRegistries() == null ? List.of() : images.insecureRegistries();
        for (String registry : insecure) {
            if (registry == null || !REGISTRY.matcher(registry).matches()) {
                serverError(file, "insecureRegistries", "images.insecureRegistries: '" + registry + "' is not"
                        + " host[:port] (write it as in image references, e.g. registry.lab:5000, without http://)");
            }
        }
        Duration timeout = ServerSettings.Images.DEFAULT_PULL_TIMEOUT;
        if (images.pullTimeout() != null) {
            if (images.pullTimeout() < 1) {
                serverError(file, "pullTimeout", "images.pullTimeout: " + images.pullTimeout() + " is not a number of"
                        + " seconds of at least 1");
            } else {
                timeout = Duration.ofSeconds(images.pullTimeout());
            }
        }
        return new ServerSettings.Images(limit, insecure.stream().filter(Objects::nonNull).toList(),
                Boolean.TRUE.equals(images.staleOk()), timeout);
    }

    private void serverError(Path file, String key, String message) {
        errors.add(new ConfigError(file, YamlFiles.lineOf(serverLines, key), message));
    }

    private ServerSettings.Chainload chainload(Path file, ChainloadFile chainload) {
        if (chainload == null || chainload.ipxe() == null) {
            return ServerSettings.Chainload.DEFAULT;
        }
        for (ServerSettings.Chainload.Ipxe ipxe : ServerSettings.Chainload.Ipxe.values()) {
            if (ipxe.name().equalsIgnoreCase(chainload.ipxe())) {
                return new ServerSettings.Chainload(ipxe);
            }
        }
        errors.add(new ConfigError(file, 0, "chainload.ipxe: '" + chainload.ipxe() + "' is neither 'firmware' (the"
                + " NIC's iPXE runs the boot script) nor 'server' (it first chainloads the loader from tftpRoot)"));
        return ServerSettings.Chainload.DEFAULT;
    }

    private ServerSettings.Api api(Path file, ApiFile api) {
        if (api == null) {
            return new ServerSettings.Api(Optional.empty(), List.of());
        }
        List<String> allow = api.allowFrom() == null ? List.of() : api.allowFrom();
        for (String cidr : allow) {
            if (!Cidr.isValid(cidr)) {
                errors.add(new ConfigError(file, 0, "api.allowFrom: '" + cidr + "' is not an address block"
                        + " (write e.g. 10.0.0.0/8 or 192.0.2.7/32)"));
            }
        }
        if (api.token() != null && api.token().length() < 16) {
            errors.add(new ConfigError(file, 0, "api.token: use at least 16 characters (e.g. openssl rand -hex 16)"));
        }
        return new ServerSettings.Api(Optional.ofNullable(api.token()), allow);
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
            String name = templatesDir.relativize(file).toString();
            Optional<ConfigError> rejection = rejection(file, version(file));
            String text = null;
            if (rejection.isPresent()) {
                errors.add(rejection.get());
            } else {
                try {
                    text = Files.readString(file);
                } catch (CharacterCodingException e) {
                    errors.add(new ConfigError(file, 0, "not UTF-8 text"));
                } catch (IOException e) {
                    errors.add(new ConfigError(file, 0, "cannot read: " + e.getMessage()));
                }
            }
            if (text == null) {
                text = lastGoodTemplates.get(file);
            }
            if (text != null) {
                templates.put(name, text);
                loadedGoodTemplates.put(file, text);
            }
        }
        return templates;
    }

    /**
     * The file's config as it is now or, when that has an error, as it last was without one.
     *
     * @param profiles the profiles a machine may name; null for a profile file
     */
    private Optional<MachineConfig> readMachineConfig(Path file, Map<String, String> templates,
            Map<String, ConfigSnapshot.ProfileFile> profiles) {
        int before = errors.size();
        Optional<MachineConfig> now = readCurrent(file, templates).filter(c -> profileExists(file, c, profiles));
        Optional<MachineConfig> inForce = errors.size() == before ? now : Optional.ofNullable(lastGood.get(file));
        inForce.ifPresent(c -> loadedGood.put(file, c));
        return inForce;
    }

    private Optional<MachineConfig> readCurrent(Path file, Map<String, String> templates) {
        Optional<FileVersion> version = version(file);
        Optional<ConfigError> rejection = rejection(file, version);
        if (rejection.isPresent()) {
            errors.add(rejection.get());
            return Optional.empty();
        }
        Parsed cached = parsed.get(file);
        YamlFiles.Read<MachineConfig> read;
        if (cached != null && version.isPresent() && cached.version().equals(version.get())) {
            read = cached.read();
        } else {
            read = YamlFiles.read(file, MachineConfig.class);
            version.ifPresent(v -> parsed.put(file, new Parsed(v, read)));
        }
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
        if (c.files() != null) {
            c.files().forEach((name, template) -> {
                if (!MachineConfig.FILE_NAME.matcher(name).matches()) {
                    error(file, lines, name, "files: '" + name + "' can't be a file name in a URL (use letters, digits,"
                            + " '.', '_' and '-')");
                } else if (template == null || !templates.containsKey(template)) {
                    error(file, lines, name, "files: template '" + template + "' for '" + name + "' not found in "
                            + dir.resolve("templates"));
                }
            });
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new MachineConfig(c.hostname(), c.profile(), kb, c.kickstart(), c.files(), c.vars(),
                c.bootOnce()));
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
        String name = config.profile();
        if (name == null || profiles == null || profiles.containsKey(name)) {
            return true;
        }
        Path expected = dir.resolve("profiles").resolve(name + ".yaml");
        int line = YamlFiles.lineOf(readLines(file), "profile");
        if (brokenProfiles.contains(name)) {
            errors.add(new ConfigError(file, line, "profile '" + name + "' has errors (see " + expected + ")"));
        } else {
            errors.add(new ConfigError(file, line, "profile '" + name + "' not found"
                    + Spelling.didYouMean(name, profiles.keySet())
                    + ": expected " + expected));
        }
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
