package org.bootferry.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bootferry.machine.MacAddress;

/**
 * Reads a config directory into a {@link ConfigSnapshot}. Every file is checked on its own; a file
 * with an error is listed with its error and left out of the snapshot, or, when an earlier load of
 * this loader read a good version of it, that version stays in force: one bad edit never hides the
 * other files, nor takes a working machine away.
 *
 * <p>A loader remembers what it parsed, keyed by each file's size and modification time, so a
 * reload after one edit parses one file. That memory, the last good versions and the rejections
 * are all it keeps between loads; what one load finds travels in its {@link LoadContext}.
 */
public final class ConfigLoader {

    private final Path dir;
    private final Map<String, Object> overrides;
    private final MachineChecks checks;
    /** The last parse of each YAML file, reused while the file is unchanged. */
    private final Map<Path, Parsed> parsed = new HashMap<>();
    /** The last version of each file that loaded and passed the checks: machines and profiles, templates. */
    private Map<Path, MachineConfig> lastGood = Map.of();
    /** The same for VM spec files ({@link VmSpecs}), each of which may give several machines. */
    private Map<Path, List<MachineFile>> lastGoodSpecs = Map.of();
    private Map<Path, String> lastGoodTemplates = Map.of();
    private ServerSettings lastGoodSettings;
    /** What the loads since the last commit read without error; becomes the last good versions on {@link #commit()}. */
    private final Map<Path, MachineConfig> loadedGood = new HashMap<>();
    private final Map<Path, List<MachineFile>> loadedGoodSpecs = new HashMap<>();
    private final Map<Path, String> loadedGoodTemplates = new HashMap<>();
    private ServerSettings loadedSettings;
    /** Errors found after loading (by a check across files), held against the file version they were found in. */
    private final Map<Path, Rejected> rejected = new HashMap<>();

    /** Which file each MAC's machine came from, as the last committed load had it, and as the latest load has it. */
    private Map<MacAddress, Path> owners = Map.of();
    private final Map<MacAddress, Path> loadedOwners = new HashMap<>();

    /** What each machine file contributed to the latest load, by path (sorted: errors come in file order). */
    private final Map<Path, Outcome> outcomes = new TreeMap<>();
    /** Everything but the machine files, as the latest whole load read it; null before the first. */
    private Shared shared;

    private record FileVersion(long size, long modifiedNanos) {
    }

    /**
     * A file's parse: a machine or profile file's binding, or a VM spec file's reading ({@code specs}).
     *
     * @param version null for a file whose attributes could not be read (it vanished): never reused
     */
    private record Parsed(FileVersion version, YamlFiles.Read<MachineConfig> read, Optional<VmSpecs.Read> specs) {
    }

    private record Rejected(FileVersion version, ConfigError error) {
    }

    /**
     * What one machine file contributed: its machines (one, or a VM spec file's several; possibly
     * its last good version), its errors and warnings.
     */
    private record Outcome(List<MachineFile> machines, List<ConfigError> errors, List<ConfigError> warnings) {
    }

    /**
     * What every machine file is read against, kept so that a reload of machine files alone reads
     * nothing else.
     */
    private record Shared(ServerSettings settings, Map<String, ConfigSnapshot.ProfileFile> profiles,
            Map<String, String> templates, Set<String> brokenProfiles, List<ConfigError> errors,
            List<ConfigError> warnings) {
    }

    /**
     * @param overrides server.yaml keys set on the command line (e.g. {@code httpPort → 8081});
     *                  they win over the file
     */
    public ConfigLoader(Path dir, Map<String, Object> overrides) {
        this.dir = dir;
        this.overrides = Map.copyOf(overrides);
        this.checks = new MachineChecks(dir);
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

    /**
     * Makes the files of the latest load the last good versions, once it has passed the checks
     * across files; until then an error found by those checks can still {@link #reject} a file.
     */
    public synchronized void commit() {
        lastGood = Map.copyOf(loadedGood);
        lastGoodSpecs = Map.copyOf(loadedGoodSpecs);
        lastGoodTemplates = Map.copyOf(loadedGoodTemplates);
        owners = Map.copyOf(loadedOwners);
        if (loadedSettings != null) {
            lastGoodSettings = loadedSettings;
        }
    }

    /** Reads the directory as it is now. */
    public synchronized ConfigSnapshot load() {
        LoadContext context = new LoadContext(new HashSet<>());
        loadedGood.clear();
        loadedGoodSpecs.clear();
        loadedGoodTemplates.clear();
        loadedSettings = null;
        if (!Files.isDirectory(dir)) {
            context.error(dir, 0, "config directory not found");
            return new ConfigSnapshot(dir, ServerFileReader.defaults(dir, context), Map.of(), MatchRules.NONE, Optional.empty(),
                    Map.of(), Map.of(), context.errors(), List.of());
        }
        ServerSettings settings = ServerFileReader.read(dir, overrides, context);
        if (context.count() == 0) {
            loadedSettings = settings;
        } else if (lastGoodSettings != null) {
            settings = lastGoodSettings;
        }
        Map<String, String> templates = readTemplates(context);
        Map<String, ConfigSnapshot.ProfileFile> profiles = new HashMap<>();
        for (Path file : yamlFiles(dir.resolve("profiles"), context)) {
            String name = MachineChecks.baseName(file);
            Optional<MachineConfig> profile = readMachineConfig(file, current(file, false, context), templates, null, context);
            if (profile.isPresent()) {
                profiles.put(name, new ConfigSnapshot.ProfileFile(file, name, profile.get()));
            } else {
                context.profileBroken(name);
            }
        }
        outcomes.clear();
        List<Path> machineFiles = listFiles(dir.resolve("machines"), context);
        shared = new Shared(settings, Map.copyOf(profiles), Map.copyOf(templates),
                context.brokenProfiles(), context.errors(), context.warnings());
        for (Path file : machineFiles) {
            if (isConfigFileName(file)) {
                outcomes.put(file, readMachineFile(file, context.forFile()));
            }
        }
        parsed.keySet().removeIf(p -> !Files.exists(p));
        return assemble();
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
        if (shared == null || paths.stream().anyMatch(p -> !machinesDir.equals(p.getParent()) || Files.isDirectory(p))) {
            return load();
        }
        LoadContext context = new LoadContext(shared.brokenProfiles());
        for (Path file : paths) {
            loadedGood.remove(file);
            loadedGoodSpecs.remove(file);
            if (isConfigFileName(file) && Files.isRegularFile(file)) {
                outcomes.put(file, readMachineFile(file, context.forFile()));
            } else {
                outcomes.remove(file);
                parsed.remove(file);
            }
        }
        return assemble();
    }

    private Outcome readMachineFile(Path file, LoadContext context) {
        List<MachineFile> machines = List.of();
        Optional<Optional<MacAddress>> named = MachineChecks.machineOf(file, context);
        if (named.isPresent()) {
            int before = context.count();
            Optional<Parsed> now = current(file, true, context);
            // The last good version stays in force whichever form (a spec or a plain file) it had.
            if (now.isPresent() && now.get().specs().isPresent()) {
                List<MachineFile> specs = specs(file, now.get(), context);
                if (context.count() == before || lastGoodSpecs.containsKey(file)) {
                    machines = context.count() == before ? specs : lastGoodSpecs.get(file);
                    loadedGoodSpecs.put(file, machines);
                } else if (lastGood.containsKey(file)) {
                    machines = List.of(new MachineFile(file, named.get(), lastGood.get(file)));
                    loadedGood.put(file, lastGood.get(file));
                }
            } else {
                machines = readMachineConfig(file, now, shared.templates(), shared.profiles(), context)
                        .map(c -> List.of(new MachineFile(file, named.get(), c))).orElse(List.of());
                if (context.count() > before && machines.isEmpty() && lastGoodSpecs.containsKey(file)) {
                    machines = lastGoodSpecs.get(file);
                    loadedGoodSpecs.put(file, machines);
                }
            }
        }
        return new Outcome(machines, context.errors(), context.warnings());
    }

    /** A VM spec file's machines, each checked as a machine file is; none when any has an error. */
    private List<MachineFile> specs(Path file, Parsed parsed, LoadContext context) {
        VmSpecs.Read read = parsed.specs().orElseThrow();
        read.errors().forEach(context::error);
        read.warnings().forEach(context::warning);
        List<MachineFile> machines = new ArrayList<>();
        for (VmSpecs.Spec spec : read.specs()) {
            checks.check(file, parsed.read().lines(), spec.config(), shared.templates(), MachineChecks.Kind.VM_SPEC, context)
                    .filter(c -> checks.profileExists(file, c, shared.profiles(), context))
                    .ifPresent(c -> machines.add(new MachineFile(file, Optional.of(spec.mac()), c)));
        }
        return List.copyOf(machines);
    }

    /**
     * The snapshot from the shared parts and every machine file's outcome, in file name order. Two
     * files for one MAC (spellings differ in case or separators) are an error on both; the one in
     * force before the other came stays in force, neither if both are new: a newcomer never takes
     * a machine over.
     */
    private ConfigSnapshot assemble() {
        List<ConfigError> all = new ArrayList<>(shared.errors());
        List<ConfigError> warnings = new ArrayList<>(shared.warnings());
        Map<MacAddress, List<MachineFile>> byMac = new HashMap<>();
        Optional<MachineFile> defaultMachine = Optional.empty();
        List<MachineFile> matchFiles = new ArrayList<>();
        for (Map.Entry<Path, Outcome> e : outcomes.entrySet()) {
            all.addAll(e.getValue().errors());
            warnings.addAll(e.getValue().warnings());
            for (MachineFile machine : e.getValue().machines()) {
                if (machine.config().match() != null) {
                    matchFiles.add(machine);
                } else if (machine.mac().isEmpty()) {
                    defaultMachine = Optional.of(machine);
                } else {
                    byMac.computeIfAbsent(machine.mac().get(), m -> new ArrayList<>()).add(machine);
                }
            }
        }
        Map<MacAddress, MachineFile> machines = new HashMap<>();
        loadedOwners.clear();
        byMac.forEach((mac, files) -> {
            Optional<MachineFile> owner = files.size() == 1 ? Optional.of(files.get(0))
                    : files.stream().filter(f -> f.file().equals(owners.get(mac))).findFirst();
            owner.ifPresent(f -> {
                machines.put(mac, f);
                loadedOwners.put(mac, f.file());
            });
            if (files.size() > 1) {
                all.addAll(duplicates(mac, files, owner));
            }
        });
        MatchRules rules = MatchRules.of(matchFiles, all::add);
        return new ConfigSnapshot(dir, shared.settings(), machines, rules, defaultMachine, shared.profiles(),
                shared.templates(), all, warnings);
    }

    private static List<ConfigError> duplicates(MacAddress mac, List<MachineFile> files, Optional<MachineFile> owner) {
        String kept = owner.map(f -> f.file().getFileName() + " stays in force").orElse("neither is in force");
        List<ConfigError> errors = new ArrayList<>();
        for (MachineFile f : files) {
            String others = files.stream().filter(o -> o != f).map(o -> o.file().getFileName().toString())
                    .collect(java.util.stream.Collectors.joining(", "));
            errors.add(new ConfigError(f.file(), 0, "MAC " + mac + " also has " + others
                    + ": keep one file per MAC (" + kept + ")"));
        }
        return errors;
    }

    private static boolean isConfigFileName(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && !name.endsWith("~");
    }

    private Map<String, String> readTemplates(LoadContext context) {
        Path templatesDir = dir.resolve("templates");
        Map<String, String> templates = new HashMap<>();
        for (Path file : listFiles(templatesDir, context)) {
            String name = templatesDir.relativize(file).toString();
            Optional<ConfigError> rejection = rejection(file, version(file));
            String text = null;
            if (rejection.isPresent()) {
                context.error(rejection.get());
            } else {
                try {
                    text = ConfigText.read(dir, file);
                } catch (ConfigText.RefusedException e) {
                    context.error(file, e.line(), e.getMessage());
                } catch (CharacterCodingException e) {
                    context.error(file, 0, "not UTF-8 text");
                } catch (IOException e) {
                    context.error(file, 0, "cannot read: " + e.getMessage());
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
     * @param now      the file's current parse ({@link #current}); empty when it has an error
     * @param profiles the profiles a machine may name; null for a profile file
     */
    private Optional<MachineConfig> readMachineConfig(Path file, Optional<Parsed> now, Map<String, String> templates,
            Map<String, ConfigSnapshot.ProfileFile> profiles, LoadContext context) {
        int before = context.count();
        MachineChecks.Kind kind = profiles == null ? MachineChecks.Kind.PROFILE : MachineChecks.Kind.MACHINE;
        Optional<MachineConfig> checked = now.flatMap(p -> {
            p.read().error().ifPresent(context::error);
            return p.read().value().flatMap(c -> checks.check(file, p.read().lines(), c, templates, kind, context));
        }).filter(c -> checks.profileExists(file, c, profiles, context));
        Optional<MachineConfig> inForce = context.count() == before ? checked : Optional.ofNullable(lastGood.get(file));
        inForce.ifPresent(c -> loadedGood.put(file, c));
        return inForce;
    }

    /**
     * The file's current parse (reused while the file is unchanged): under {@code machines/} a VM
     * spec is read as one ({@link VmSpecs#isSpec}); empty, with the error, when the file's version
     * was rejected or changed while it was read.
     */
    private Optional<Parsed> current(Path file, boolean machineFile, LoadContext context) {
        Optional<FileVersion> version = version(file);
        Optional<ConfigError> rejection = rejection(file, version);
        if (rejection.isPresent()) {
            context.error(rejection.get());
            return Optional.empty();
        }
        Parsed cached = parsed.get(file);
        if (cached != null && version.isPresent() && cached.version().equals(version.get())) {
            return Optional.of(cached);
        }
        YamlFiles.Read<String> text = YamlFiles.text(dir, file);
        Optional<VmSpecs.Read> specs = text.value().filter(t -> machineFile && VmSpecs.isSpec(t))
                .map(t -> VmSpecs.read(file, t));
        YamlFiles.Read<MachineConfig> read = specs.isPresent() || text.value().isEmpty()
                ? new YamlFiles.Read<>(Optional.empty(), text.error(), text.lines())
                : YamlFiles.bind(file, text.value().get(), text.lines(), MachineConfig.class);
        if (!version.equals(version(file))) {
            // Caught while being written: this text may be a prefix that parses. The event
            // its last write causes reads it again.
            context.error(file, 0, "changed while it was read: its last good version stays until it is read whole");
            return Optional.empty();
        }
        // Kept for the next load only with a version to compare (a file that vanished has none).
        Parsed now = new Parsed(version.orElse(null), read, specs);
        version.ifPresent(v -> parsed.put(file, now));
        return Optional.of(now);
    }

    /** The YAML files of a directory; anything else there is an error, but editor swap and backup files. */
    private List<Path> yamlFiles(Path directory, LoadContext context) {
        List<Path> yaml = new ArrayList<>();
        for (Path file : listFiles(directory, context)) {
            if (MachineChecks.isYaml(file)) {
                yaml.add(file);
            } else if (isConfigFileName(file)) {
                context.error(file, 0, "not a .yaml file: rename it or move it out of " + directory);
            }
        }
        return yaml;
    }

    private List<Path> listFiles(Path directory, LoadContext context) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !directory.relativize(p).toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            context.error(directory, 0, "cannot list: " + e.getMessage());
            return List.of();
        }
    }
}
