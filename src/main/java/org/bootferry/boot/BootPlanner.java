package org.bootferry.boot;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.MachineFile;
import org.bootferry.image.ImageResolver;
import org.bootferry.loader.LoaderImage;
import org.bootferry.loader.LoaderImages;
import org.bootferry.machine.BootHistory;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.Installs;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;

/**
 * The {@link Booter} of a server: answers from the config in force, with each machine's profiles
 * resolved once per config snapshot ({@link ResolvedConfig}). Planning is {@link Plans}, install files
 * {@link InstallFiles}, explain {@link Explainer}; this class only picks the machine's file and applies
 * what the server knows beyond the config: boot-once state, images, loader fetches.
 */
public final class BootPlanner implements Booter {

    /**
     * What a planner answers from besides the config.
     *
     * @param config        the config in force, asked again on every request (live reload swaps it)
     * @param installs      boot-once state: a {@code bootOnce} machine that reported its install done
     *                      boots from its disk
     * @param images        where {@code kernelBoot.container} files come from; without image support
     *                      such machines are not planned (the error says so)
     * @param fetchedLoader whether a machine fetched a loader moments ago: with {@code chainload: {ipxe:
     *                      server}} that tells the NIC's iPXE from ours. Without fetch records nothing
     *                      could, so every iPXE is taken for ours and gets the script
     * @param missingLoader for a loader the server does not serve, where it was looked for; a machine is
     *                      then not sent to fetch it (the error says which file is missing)
     * @param loaderImages  what a loader file is (shim, GRUB, iPXE; signed or not), for explain's chains;
     *                      empty when it can't be read
     * @param capabilities  issues the capabilities plans carry and checks those requests bring
     */
    public record Dependencies(
            Supplier<ConfigSnapshot> config,
            Installs installs,
            ImageSource images,
            BiPredicate<MacAddress, String> fetchedLoader,
            Function<String, Optional<String>> missingLoader,
            Function<String, Optional<LoaderImage>> loaderImages,
            Capabilities capabilities) {

        /**
         * The config alone: no machine installed, no images, every iPXE ours, every loader present and
         * unread, capabilities {@link Capabilities#HIDDEN hidden}.
         */
        public static Dependencies of(Supplier<ConfigSnapshot> config) {
            return new Dependencies(config, Installs.NONE, ImageSource.NONE, (mac, loader) -> true,
                    loader -> Optional.empty(), loader -> Optional.empty(), Capabilities.HIDDEN);
        }

        public Dependencies withInstalls(Installs state) {
            return new Dependencies(config, state, images, fetchedLoader, missingLoader, loaderImages, capabilities);
        }

        /** @param registry where image pulls and cache hits are counted */
        public Dependencies withImages(ImageResolver resolver, MeterRegistry registry) {
            return new Dependencies(config, installs, new ImagePuller(resolver, registry), fetchedLoader, missingLoader,
                    loaderImages, capabilities);
        }

        public Dependencies withLoaders(BiPredicate<MacAddress, String> fetched, Function<String, Optional<String>> missing) {
            return new Dependencies(config, installs, images, fetched, missing, loaderImages, capabilities);
        }

        public Dependencies withLoaderImages(LoaderImages images) {
            return new Dependencies(config, installs, this.images, fetchedLoader, missingLoader, images::inspect,
                    capabilities);
        }

        public Dependencies withCapabilities(Capabilities issuer) {
            return new Dependencies(config, installs, images, fetchedLoader, missingLoader, loaderImages, issuer);
        }
    }

    private final Dependencies deps;
    private final ScriptCache scripts = new ScriptCache();
    private volatile ResolvedConfig resolved;

    public BootPlanner(Dependencies deps) {
        this.deps = deps;
    }

    @Override
    public Optional<BootPlan> plan(Machine machine) {
        ResolvedConfig config = resolved();
        return file(config, machine).map(file -> plan(config, file, machine));
    }

    @Override
    public Optional<IpxeScript> script(Machine machine) {
        ResolvedConfig config = resolved();
        return file(config, machine).map(file -> {
            boolean installed = installed(config, file, machine.mac());
            return scripts.get(config.snapshot(), deps.images().changes(), deps.capabilities().second(), machine, installed,
                    () -> IpxeScript.of(plan(config, file, machine, installed)));
        });
    }

    /** The machine's file, unless {@link #plan} leaves the machine unanswered. */
    private static Optional<MachineFile> file(ResolvedConfig config, Machine machine) {
        return config.snapshot().machine(machine.mac(), machine.firmware())
                .filter(file -> !pxeOfHttpBootMachine(config.resolve(file), machine));
    }

    /**
     * A machine with {@code httpBoot: true} leaves its NIC's PXE firmware unanswered, so that the
     * firmware's next boot option, UEFI HTTP Boot, runs: over IPv6 EDK2 tries PXEv6 before HTTPv6,
     * and HTTPv6 as the very first boot option fails before it sends anything (reference/ipv6
     * {@code http6-first}; fixed in edk2-stable202508). iPXE and HTTP Boot itself are answered.
     */
    static boolean pxeOfHttpBootMachine(MachineConfig c, Machine machine) {
        return c.httpBootOnly() && !machine.ipxe() && !machine.firmware().httpBoot();
    }

    /**
     * GRUB's config has a section per architecture, because the kernel out of a multi-arch image
     * depends on it and the request did not say. An architecture the machine can't be planned for
     * (an image without it) gets no section; GRUB on it then says so instead of booting a foreign kernel.
     */
    @Override
    public Optional<String> loaderConfig(BootUrls.LoaderConfigFile request, Optional<InetAddress> server) {
        ResolvedConfig config = resolved();
        List<Firmware> firmware = request.kind() == LoaderConfig.Kind.PXELINUX ? List.of(Firmware.BIOS)
                : LoaderConfig.GRUB_FIRMWARE;
        List<BootPlan> plans = new ArrayList<>();
        BootPlanException failure = null;
        for (Firmware f : firmware) {
            // Each architecture's section from the machine's file for that firmware (match.arch).
            Optional<MachineFile> file = config.snapshot().machine(request.mac(), f);
            if (file.isEmpty() || !Plans.hasKernel(config.resolve(file.get())) && !installed(config, file.get(), request.mac())) {
                continue; // no boot of its own here (BootPlan.ownBoot)
            }
            try {
                plans.add(plan(config, file.get(), new Machine(request.mac(), f, false, server)));
            } catch (BootPlanException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (plans.isEmpty()) {
            if (failure != null) {
                throw failure;
            }
            return Optional.empty(); // no boot of its own for any: the tftproot's file, if any
        }
        return Optional.of(request.kind() == LoaderConfig.Kind.PXELINUX
                ? LoaderConfig.pxelinux(plans.get(0), request.protocol())
                : LoaderConfig.grub(plans, request.protocol()));
    }

    @Override
    public Optional<String> kickstart(Machine machine) {
        ResolvedConfig config = resolved();
        return config.snapshot().machine(machine.mac()).flatMap(file ->
                InstallFiles.kickstart(config, file, install(config, file, machine), deps.images()));
    }

    @Override
    public Optional<String> installFile(Machine machine, String name) {
        ResolvedConfig config = resolved();
        return config.snapshot().machine(machine.mac()).flatMap(file ->
                InstallFiles.named(config, file, install(config, file, machine), name));
    }

    @Override
    public boolean configured(MacAddress mac) {
        return resolved().snapshot().configured(mac);
    }

    /**
     * Pulls in the background the images of the snapshot's new and changed machine files ({@link Prefetch}):
     * a server calls it with its first snapshot and every reload's.
     *
     * @param events  told of a failed pull, under the file's MAC
     * @param history the machines' past boots, for the firmware a MAC booted with before
     * @throws IllegalStateException for a planner without image support
     */
    public void prefetch(ConfigSnapshot snapshot, BootLog events, BootHistory history) {
        deps.images().prefetch().orElseThrow(() -> new IllegalStateException("this planner has no image resolver"))
                .changed(snapshot, events, history);
    }

    /** Where the images of its plans come from, for explain's state of their background pulls. */
    ImageSource images() {
        return deps.images();
    }

    /** Shown by a planner whose capabilities are hidden: explain and the API show URLs, never one that works. */
    @Override
    public Optional<Explanation> explain(MacAddress mac, Optional<InetAddress> server) {
        ResolvedConfig config = resolved();
        BootPlanner shown = new BootPlanner(deps.withCapabilities(Capabilities.HIDDEN));
        return config.snapshot().machine(mac).map(file -> Explainer.explain(shown, config, file, mac, server,
                deps.installs().installed(mac).map(Object::toString), deps.loaderImages()));
    }

    /** A MAC no file answers has nothing to protect: its request is answered as unknown. */
    @Override
    public Optional<Capabilities.Refusal> refusal(BootUrls.Private request) {
        ResolvedConfig config = resolved();
        Optional<MachineFile> file = config.snapshot().machine(request.mac());
        if (file.isEmpty() || request.capability().isEmpty() && config.resolve(file.get()).openAccess()) {
            return Optional.empty();
        }
        return deps.capabilities().check(request.mac(), request.capability(),
                config.snapshot().settings().access().lifetime());
    }

    /**
     * The plan a request of the machine gets: from its disk once a {@code bootOnce} install is done.
     * A kernel known to be one the machine's firmware can't boot is refused here, so that the machine
     * stops at a clear error instead of hanging in its loader.
     */
    BootPlan plan(ResolvedConfig config, MachineFile file, Machine machine) {
        return plan(config, file, machine, installed(config, file, machine.mac()));
    }

    /** @param installed whether the machine boots from its disk ({@link #installed}) */
    private BootPlan plan(ResolvedConfig config, MachineFile file, Machine machine, boolean installed) {
        BootPlan plan = Plans.plan(config, file, machine, installed, deps);
        if (deps.images() == ImageSource.NONE && plan.kernel().filter(ImageBootFile.class::isInstance).isPresent()) {
            throw new BootPlanException(new ConfigError(file.file(), 0,
                    "kernelBoot.container: image support is not configured (this planner has no image resolver)"));
        }
        if (deps.images() == ImageSource.NONE && plan.kernel().filter(TreeBootFile.class::isInstance).isPresent()) {
            throw new BootPlanException(new ConfigError(file.file(), 0,
                    "kernelBoot.location: install tree support is not configured (this planner has no image resolver)"));
        }
        if (!plan.localBoot()) {
            KernelPairing.problem(plan).filter(KernelPairing.Problem::fatal).ifPresent(p -> {
                throw new BootPlanException(new ConfigError(file.file(), 0, p.message()));
            });
        }
        return plan;
    }

    /** Whether the machine is a {@code bootOnce} machine whose install is done: it boots from its disk. */
    private boolean installed(ResolvedConfig config, MachineFile file, MacAddress mac) {
        return Boolean.TRUE.equals(config.resolve(file).bootOnce()) && deps.installs().installed(mac).isPresent();
    }

    /**
     * The plan install files are rendered from: the install's, whatever the boot-once state says,
     * for a firmware the machine boots ({@link Plans#bootable}: the kickstart URL does not say).
     */
    private BootPlan install(ResolvedConfig config, MachineFile file, Machine machine) {
        Firmware firmware = Plans.bootable(config.resolve(file), machine.firmware());
        return Plans.plan(config, file, new Machine(machine.mac(), firmware, machine.ipxe(), machine.server()), false, deps);
    }

    private ResolvedConfig resolved() {
        ConfigSnapshot now = deps.config().get();
        ResolvedConfig r = resolved;
        if (r == null || r.snapshot() != now) {
            r = new ResolvedConfig(now);
            resolved = r;
        }
        return r;
    }
}
