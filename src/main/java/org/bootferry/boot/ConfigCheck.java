package org.bootferry.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.LoaderKeys;
import org.bootferry.config.MachineFile;
import org.bootferry.config.DuidChecks;
import org.bootferry.config.Reservations;
import org.bootferry.config.YamlFiles;
import org.bootferry.image.DockerConfigCredentials;
import org.bootferry.image.ImageReference;
import org.bootferry.image.PullPolicy;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;

/**
 * The errors that only show when files meet: every machine file planned and its install files
 * rendered, as a boot would (an unknown template variable, a missing profile, a loader for an unknown
 * firmware), and the values config keeps as written that the image package parses (pull policies,
 * registries), in its grammar, and the machines' DHCP reservations against the pools ({@link Reservations}).
 * {@code bootferry validate} runs it, and every reload before a snapshot goes in force.
 * Apart from it, {@link #kernels}: every machine's kernel against the firmwares that would boot it,
 * which {@code validate} runs too.
 */
public final class ConfigCheck {

    private static final MacAddress EXAMPLE_MAC = MacAddress.parse("00:00:00:00:00:00");

    private ConfigCheck() {
    }

    /** Checks every machine file of the snapshot. */
    public static List<ConfigError> check(ConfigSnapshot snapshot) {
        return check(snapshot, Optional.empty());
    }

    /**
     * Like {@link #check(ConfigSnapshot)}, but skips the machine files that {@code checked} (a
     * snapshot that passed) holds unchanged while settings, profiles and templates are unchanged too:
     * after one edit, one machine is planned, not ten thousand.
     */
    public static List<ConfigError> check(ConfigSnapshot snapshot, ConfigSnapshot checked) {
        return check(snapshot, Optional.of(checked));
    }

    private static List<ConfigError> check(ConfigSnapshot snapshot, Optional<ConfigSnapshot> checked) {
        boolean sharedUnchanged = checked.isPresent()
                && checked.get().settings().equals(snapshot.settings())
                && checked.get().profiles().equals(snapshot.profiles())
                && checked.get().templates().equals(snapshot.templates());
        // A set: machines sharing a profile or template share its error, which is reported once.
        Set<ConfigError> errors = new LinkedHashSet<>();
        checkLoaders(snapshot, errors);
        // Reservations are checked across all machine files every time: one edit can make two collide.
        errors.addAll(Reservations.check(snapshot));
        errors.addAll(DuidChecks.check(snapshot));
        if (!sharedUnchanged) {
            checkRegistries(snapshot, errors);
            snapshot.profiles().values().forEach(p -> checkPullPolicy(p.file(), p.config(), errors));
            snapshot.profiles().values().forEach(p -> checkPullSecret(snapshot, p.file(), p.config(), errors));
        }
        ResolvedConfig config = new ResolvedConfig(snapshot);
        BootPlanner.Dependencies checking = BootPlanner.Dependencies.of(() -> snapshot);
        List<MachineFile> files = new ArrayList<>(snapshot.machines().values());
        files.addAll(snapshot.rules().files());
        snapshot.defaultMachine().ifPresent(files::add);
        for (MachineFile file : files) {
            if (sharedUnchanged && file.equals(file.mac().map(checked.get().machines()::get)
                    .orElse(checked.get().defaultMachine().orElse(null)))) {
                continue;
            }
            checkPullPolicy(file.file(), file.config(), errors);
            checkPullSecret(snapshot, file.file(), file.config(), errors);
            try {
                MachineConfig c = config.resolve(file);
                BootPlan plan = Plans.plan(config, file, Machine.of(file.mac().orElse(EXAMPLE_MAC), Plans.bootable(c, Firmware.BIOS)),
                        false, checking);
                if (c.kickstart() != null) {
                    InstallFiles.render(config, c, plan, c.kickstart());
                }
                if (c.files() != null) {
                    c.files().values().forEach(t -> InstallFiles.render(config, c, plan, t));
                }
            } catch (BootPlanException e) {
                if (!pullPolicyError(config, file).equals(Optional.of(e.error().message()))) {
                    errors.add(e.error()); // a bad pull policy is reported where it is written, not per machine
                }
            }
        }
        return List.copyOf(errors);
    }

    /**
     * The machine files (machines, match files, default.yaml) whose machines have {@code access:
     * open}, their own or their profile's: their install files are at static URLs anyone who names
     * the MAC may fetch. {@code bootferry validate} lists them, so that none is open unnoticed.
     */
    public static List<Path> openAccess(ConfigSnapshot snapshot) {
        ResolvedConfig config = new ResolvedConfig(snapshot);
        List<MachineFile> files = new ArrayList<>(snapshot.machines().values());
        files.addAll(snapshot.rules().files());
        snapshot.defaultMachine().ifPresent(files::add);
        return files.stream().filter(f -> {
            try {
                return config.resolve(f).openAccess();
            } catch (BootPlanException e) {
                return false; // a profile that can't be resolved is an error of its own (check)
            }
        }).map(MachineFile::file).sorted().toList();
    }

    /** The keys of server.yaml's {@code loaders:}, as {@link LoaderKeys} reads them. */
    private static void checkLoaders(ConfigSnapshot snapshot, Set<ConfigError> errors) {
        Path serverYaml = snapshot.dir().resolve("server.yaml");
        for (String id : snapshot.settings().loaders().keySet()) {
            LoaderKeys.problem(id).ifPresent(message ->
                    errors.add(new ConfigError(serverYaml, YamlFiles.lineOf(serverYaml, id), message)));
        }
    }

    /**
     * What {@link #kernels} found: kernels that no firmware they would be handed to boots, and kernels
     * some of those firmwares' loaders may not boot (or nobody knows).
     */
    public record KernelFindings(List<ConfigError> errors, List<ConfigError> warnings) {
    }

    /**
     * Every machine's kernel against the firmwares that would be handed it: a local file against every
     * firmware, an image's kernel against the firmwares of the platform it was pulled for. An error when
     * none of them boots it (an ELF vmlinux; an arm64 kernel in an image's linux/amd64 variant); a
     * warning when none boots it for certain. Which firmware a machine has is not in its file, so an
     * arm64 kernel a BIOS machine would get is refused only when that machine asks. Apart from
     * {@link #check}, because a kernel's bytes are no config: they change without a reload, and an
     * image's are known only once it is in this host's cache ({@code deps}' images; nothing is pulled).
     * {@code bootferry validate} runs both.
     */
    public static KernelFindings kernels(ConfigSnapshot snapshot, BootPlanner.Dependencies deps) {
        ResolvedConfig config = new ResolvedConfig(snapshot);
        Set<ConfigError> errors = new LinkedHashSet<>();
        Set<ConfigError> warnings = new LinkedHashSet<>();
        List<MachineFile> files = new ArrayList<>(snapshot.machines().values());
        files.addAll(snapshot.rules().files());
        snapshot.defaultMachine().ifPresent(files::add);
        for (MachineFile file : files) {
            // The firmwares handed the same kernel: a local file's are all, an image's those of one platform.
            Map<String, List<BootPlan>> byKernel = new LinkedHashMap<>();
            for (Firmware firmware : Firmware.values()) {
                if (!serves(file, firmware)) {
                    continue;
                }
                try {
                    BootPlan plan = Plans.plan(config, file, new Machine(file.mac().orElse(EXAMPLE_MAC), firmware, true,
                            Optional.empty()), false, deps);
                    plan.kernel().filter(k -> k.knownFormat().isPresent()).ifPresent(k ->
                            byKernel.computeIfAbsent(k.source(), source -> new ArrayList<>()).add(plan));
                } catch (BootPlanException e) {
                    // not planned: check() reports what is wrong with the file
                }
            }
            for (List<BootPlan> plans : byKernel.values()) {
                kernelFindings(file, plans, errors, warnings);
            }
        }
        return new KernelFindings(List.copyOf(errors), List.copyOf(warnings));
    }

    /** Whether the file is handed to machines of this firmware: a match file with {@code arch} only to its own. */
    private static boolean serves(MachineFile file, Firmware firmware) {
        MachineConfig.Match match = file.config().match();
        return match == null || match.arch() == null || match.arch().equals(firmware.loaderFirmware().id());
    }

    /**
     * One kernel's findings over the plans of the firmwares it is handed to: nothing when one boots it;
     * an error when none does (the reasons of firmwares of the kernel's own CPU first: "neither GRUB nor
     * iPXE decompresses zstd" says more than "x86 machines can't run it"); warnings otherwise.
     */
    private static void kernelFindings(MachineFile file, List<BootPlan> plans, Set<ConfigError> errors,
            Set<ConfigError> warnings) {
        List<KernelPairing.Problem> problems = new ArrayList<>();
        List<KernelPairing.Problem> ownCpu = new ArrayList<>();
        for (BootPlan plan : plans) {
            Optional<KernelPairing.Problem> problem = KernelPairing.problem(plan);
            if (problem.isEmpty()) {
                return;
            }
            problems.add(problem.get());
            if (KernelPairing.builtFor(plan.kernel().orElseThrow().knownFormat().orElseThrow(),
                    plan.machine().firmware())) {
                ownCpu.add(problem.get());
            }
        }
        boolean fatal = problems.stream().allMatch(KernelPairing.Problem::fatal);
        (fatal && !ownCpu.isEmpty() ? ownCpu : problems).stream().filter(p -> p.fatal() == fatal).forEach(p ->
                (fatal ? errors : warnings).add(new ConfigError(file.file(), 0, p.message())));
    }

    /** {@code images.insecureRegistries} in the image package's grammar of a registry, as references write it. */
    private static void checkRegistries(ConfigSnapshot snapshot, Set<ConfigError> errors) {
        Path serverYaml = snapshot.dir().resolve("server.yaml");
        for (String registry : snapshot.settings().images().insecureRegistries()) {
            if (!ImageReference.isRegistry(registry)) {
                errors.add(new ConfigError(serverYaml, YamlFiles.lineOf(serverYaml, "insecureRegistries"),
                        "images.insecureRegistries: '" + registry + "' is not host[:port] (write it as in image"
                                + " references, e.g. registry.lab:5000, without http://)"));
            }
        }
    }

    /**
     * A {@code kernelBoot.container.imagePullPolicy} or {@code kernelBoot.locationPullPolicy} in
     * KubeVirt's spelling, checked in the file that writes it.
     */
    private static void checkPullPolicy(Path file, MachineConfig config, Set<ConfigError> errors) {
        pullPolicyError(config).ifPresent(message -> errors.add(new ConfigError(file, YamlFiles.lineOf(file,
                config.kernelBoot().locationPullPolicy() != null ? "locationPullPolicy" : "imagePullPolicy"), message)));
    }

    /**
     * The {@code imagePullSecret} a file writes, read as a pull would read it: a secret that is no
     * docker config.json fails here, not at a machine's first boot. The message names the secret's
     * line and column, never its text.
     */
    private static void checkPullSecret(ConfigSnapshot snapshot, Path file, MachineConfig config, Set<ConfigError> errors) {
        if (config.kernelBoot() == null || config.kernelBoot().container() == null
                || config.kernelBoot().container().imagePullSecret() == null) {
            return;
        }
        Path secret = snapshot.dir().resolve("secrets").resolve(config.kernelBoot().container().imagePullSecret() + ".json");
        if (!Files.isRegularFile(secret)) {
            return; // MachineChecks says it is missing
        }
        try {
            DockerConfigCredentials.load(secret);
        } catch (IOException e) {
            errors.add(new ConfigError(file, YamlFiles.lineOf(file, "imagePullSecret"), "imagePullSecret: " + e.getMessage()));
        }
    }

    /** What is wrong with the pull policy the machine gets from its file or profiles, if anything. */
    private static Optional<String> pullPolicyError(ResolvedConfig config, MachineFile file) {
        try {
            return pullPolicyError(config.resolve(file));
        } catch (BootPlanException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> pullPolicyError(MachineConfig config) {
        MachineConfig.KernelBoot kb = config.kernelBoot();
        if (kb == null || kb.locationPullPolicy() == null
                && (kb.container() == null || kb.container().imagePullPolicy() == null)) {
            return Optional.empty();
        }
        try {
            if (kb.locationPullPolicy() != null) {
                PullPolicy.parse("locationPullPolicy", kb.locationPullPolicy());
            } else {
                PullPolicy.parse("imagePullPolicy", kb.container().imagePullPolicy());
            }
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }
}
