package org.bootferry.boot;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.MachineFile;
import org.bootferry.config.ServerSettings;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.image.ImageFile;
import org.bootferry.image.ImageRequest;
import org.bootferry.image.ImageResolver;
import org.bootferry.journal.BootState;
import org.bootferry.journal.LoaderFetches;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.loader.LoaderPresence;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;

/**
 * Answers the one question every boot stage asks — what does this machine boot? — from the current
 * config snapshot. Protocols never read config themselves; they render the {@link BootPlan}.
 */
public final class BootPlanner implements Booter {

    private static final Path KERNEL_ARGS = Path.of("kernelArgs");
    private static final int MAX_SERVER_URLS = 64;
    private static final Map<ServerUrlKey, URI> SERVER_URLS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final MacAddress EXAMPLE_MAC = MacAddress.parse("00:00:00:00:00:00");

    private final Supplier<ConfigSnapshot> config;
    private final Optional<BootState> state;
    private final Optional<ImagePuller> images;
    private final Optional<LoaderFetches> fetches;
    private final Optional<LoaderPresence> served;

    /** A planner without boot-once state: every machine gets its install plan. */
    public BootPlanner(Supplier<ConfigSnapshot> config) {
        this(config, Optional.empty());
    }

    public BootPlanner(Supplier<ConfigSnapshot> config, Optional<BootState> state) {
        this(config, state, Optional.empty());
    }

    /** @param images the server's one resolver, for {@code kernelBoot.container}; without it such machines aren't planned */
    public BootPlanner(Supplier<ConfigSnapshot> config, Optional<BootState> state, Optional<ImageResolver> images) {
        this(config, state, images, new SimpleMeterRegistry());
    }

    /** @param registry where image pulls and cache hits are counted */
    public BootPlanner(Supplier<ConfigSnapshot> config, Optional<BootState> state, Optional<ImageResolver> images,
            MeterRegistry registry) {
        this(config, state, images, registry, Optional.empty(), Optional.empty());
    }

    /**
     * @param fetches the loader fetches TFTP and HTTP record: with {@code chainload: {ipxe: server}}
     *                they tell the NIC's iPXE from ours; without them every iPXE gets the script
     * @param served  the loaders the server serves: a machine whose loader is not among them is not
     *                sent to fetch it (the error says which file is missing); without them, not checked
     */
    public BootPlanner(Supplier<ConfigSnapshot> config, Optional<BootState> state, Optional<ImageResolver> images,
            MeterRegistry registry, Optional<LoaderFetches> fetches, Optional<LoaderFiles> served) {
        this.config = config;
        this.state = state;
        this.images = images.map(resolver -> new ImagePuller(resolver, registry));
        this.fetches = fetches;
        this.served = served.map(LoaderPresence::new);
    }

    /**
     * The plan for a machine; empty when its MAC has no file and there is no {@code default.yaml}
     * (such machines are not answered, so another boot server on the segment can serve them).
     *
     * @throws BootPlanException when the machine's config can't be turned into a plan
     */
    @Override
    public Optional<BootPlan> plan(Machine machine) {
        ConfigSnapshot snapshot = config.get();
        return snapshot.machine(machine.mac()).map(file -> fetchable(file,
                plan(snapshot, file, machine, installed(file, machine), images.orElse(null), fetches, served)));
    }

    /** A plan whose files come from an image is only given when this planner can fetch them. */
    private BootPlan fetchable(MachineFile file, BootPlan plan) {
        if (images.isEmpty() && plan.kernel() instanceof ImageBootFile) {
            throw new BootPlanException(new ConfigError(file.file(), 0,
                    "kernelBoot.container: image support is not configured (this planner has no image resolver)"));
        }
        return plan;
    }

    /**
     * The machine's kickstart (served at /ks/M) rendered for it: its {@code kickstart:} template, or
     * else the one its image carries (label {@code org.bootferry.kickstartPath}) once the image is
     * cached; empty when it has neither.
     */
    @Override
    public Optional<String> kickstart(Machine machine) {
        Optional<String> own = render(machine, c -> Optional.ofNullable(c.kickstart()));
        return own.isPresent() ? own : imageKickstart(machine);
    }

    private Optional<String> imageKickstart(Machine machine) {
        ConfigSnapshot snapshot = config.get();
        Optional<MachineFile> file = snapshot.machine(machine.mac());
        if (file.isEmpty() || images.isEmpty()) {
            return Optional.empty();
        }
        MachineConfig c = resolveProfiles(snapshot, file.get());
        if (c.kernelBoot() == null || c.kernelBoot().container() == null) {
            return Optional.empty();
        }
        ImageRequest request = ContainerBoot.request(snapshot, file.get(), c.kernelBoot().container(), machine);
        Optional<ImageFile> carried = images.get().cached(request).flatMap(ImageBootFiles::kickstart);
        if (carried.isEmpty()) {
            return Optional.empty();
        }
        Path source = Path.of(request.image() + ":" + carried.get().imagePath());
        String text;
        try {
            text = Files.readString(carried.get().path());
        } catch (IOException e) {
            throw new BootPlanException(new ConfigError(source, 0, "cannot read the image's kickstart: " + e.getMessage()));
        }
        BootPlan plan = plan(snapshot, file.get(), machine, false, images.get(), fetches, served);
        return Optional.of(renderInstallFile(source, text, values(plan, c)));
    }

    /**
     * One of the machine's install files ({@code files:}, served at /files/M/NAME: a preseed,
     * cloud-init user-data and meta-data, …) rendered for it; empty when it has no such file.
     */
    @Override
    public Optional<String> installFile(Machine machine, String name) {
        return render(machine, c -> Optional.ofNullable(c.files()).map(f -> f.get(name)));
    }

    private Optional<String> render(Machine machine, java.util.function.Function<MachineConfig, Optional<String>> template) {
        ConfigSnapshot snapshot = config.get();
        Optional<MachineFile> file = snapshot.machine(machine.mac());
        if (file.isEmpty()) {
            return Optional.empty();
        }
        MachineConfig c = resolveProfiles(snapshot, file.get());
        Optional<String> name = template.apply(c);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(render(snapshot, c, plan(snapshot, file.get(), machine, false, images.orElse(null), fetches, served),
                name.get()));
    }

    /**
     * Renders an install file. Kickstart, preseed and cloud-init are line-based: a value with a
     * line break (a hostname from a machine file, a var) could add directives, so it is refused.
     */
    private static String render(ConfigSnapshot snapshot, MachineConfig c, BootPlan plan, String templateName) {
        Path templateFile = snapshot.dir().resolve("templates").resolve(templateName);
        return renderInstallFile(templateFile, snapshot.templates().get(templateName), values(plan, c));
    }

    private static String renderInstallFile(Path source, String text, Map<String, Object> values) {
        return Template.parse(source, text).render(values, (name, value) -> {
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                throw new TemplateException(source, 0, "the value of '" + name + "' contains a line break, which"
                        + " would add lines to " + source.getFileName() + "; put multi-line text in the template");
            }
            return value;
        });
    }

    /**
     * Plans every machine file of a snapshot and renders its install file, as a boot would: the
     * errors that only show when files meet (an unknown template variable, a missing loader).
     */
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
        for (String id : snapshot.settings().loaders().keySet()) {
            if (Firmware.byId(id).isEmpty()) {
                errors.add(new ConfigError(snapshot.dir().resolve("server.yaml"), 0, "loaders: unknown firmware '" + id
                        + "' (known: " + Firmware.ids() + ")"));
            }
        }
        List<MachineFile> files = new ArrayList<>(snapshot.machines().values());
        snapshot.defaultMachine().ifPresent(files::add);
        for (MachineFile file : files) {
            if (sharedUnchanged && file.equals(file.mac().map(checked.get().machines()::get)
                    .orElse(checked.get().defaultMachine().orElse(null)))) {
                continue;
            }
            try {
                BootPlan plan = plan(snapshot, file, Machine.of(file.mac().orElse(EXAMPLE_MAC), Firmware.BIOS), false,
                        null, Optional.empty(), Optional.empty());
                MachineConfig c = resolveProfiles(snapshot, file);
                if (c.kickstart() != null) {
                    render(snapshot, c, plan, c.kickstart());
                }
                if (c.files() != null) {
                    c.files().values().forEach(t -> render(snapshot, c, plan, t));
                }
            } catch (BootPlanException e) {
                errors.add(e.error());
            }
        }
        return List.copyOf(errors);
    }

    /**
     * What every stage would answer the machine, for every firmware kind; empty for a MAC that is
     * not answered. Pulls nothing: image-backed files are named by reference, not fetched.
     *
     * @throws BootPlanException when the machine's config can't be turned into a plan
     */
    @Override
    public Optional<Explanation> explain(MacAddress mac) {
        ConfigSnapshot snapshot = config.get();
        Optional<MachineFile> file = snapshot.machine(mac);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> dhcp = new LinkedHashMap<>();
        for (Firmware firmware : Firmware.values()) {
            try {
                dhcp.put(firmware.id(), plan(Machine.of(mac, firmware)).orElseThrow().bootFile());
            } catch (BootPlanException e) {
                dhcp.put(firmware.id(), "not booted: " + e.error().message());
            }
        }
        BootPlan plan = plan(new Machine(mac, Firmware.BIOS, true, Optional.empty())).orElseThrow();
        dhcp.put("ipxe", plan.bootFile());
        MachineConfig c = resolveProfiles(snapshot, file.get());
        List<Explanation.Source> initrds = new ArrayList<>();
        for (int i = 0; i < plan.initrds().size(); i++) {
            BootFile initrd = plan.initrds().get(i);
            initrds.add(new Explanation.Source(initrd.source(), plan.initrdUrl(i).toString(), initrd.knownDigest()));
        }
        return Optional.of(new Explanation(mac.toString(), plan.hostname(), file.get().file().toString(),
                Optional.ofNullable(file.get().config().profile()), dhcp, plan.nextServer().getHostAddress(),
                LoaderConfig.names(plan),
                new Explanation.Source(plan.kernel().source(), plan.kernelUrl().toString(), plan.kernel().knownDigest()),
                initrds, plan.cmdline(),
                IpxeScript.render(plan), plan.kickstartUrl().toString(),
                Optional.ofNullable(c.kickstart()).map(t -> render(snapshot, c, plan, t)),
                c.files() == null ? Map.of() : c.files().keySet().stream().sorted().collect(java.util.stream.Collectors
                        .toMap(n -> n, n -> plan.filesUrl().resolve(n).toString(), (a, b) -> a, LinkedHashMap::new)),
                Boolean.TRUE.equals(c.bootOnce()),
                state.flatMap(s -> s.installed(mac)).map(Object::toString), plan.localBoot()));
    }

    /** A {@code bootOnce} machine that reported its install done boots from its disk until reset. */
    private boolean installed(MachineFile file, Machine machine) {
        ConfigSnapshot snapshot = config.get();
        return state.isPresent() && Boolean.TRUE.equals(resolveProfiles(snapshot, file).bootOnce())
                && state.get().installed(machine.mac()).isPresent();
    }

    /** @param images null when planning only to check the config: image files are named, never fetched */
    private static BootPlan plan(ConfigSnapshot snapshot, MachineFile file, Machine machine, boolean localBoot,
            ImagePuller images, Optional<LoaderFetches> fetches, Optional<LoaderPresence> served) {
        ServerSettings settings = snapshot.settings();
        MachineConfig c = resolveProfiles(snapshot, file);
        InetAddress server = machine.server().orElseGet(() -> address(settings));
        URI serverUrl = serverUrl(server, settings.httpPort());
        MachineConfig.KernelBoot kb = c.kernelBoot();
        if (kb == null || (kb.files() == null && kb.container() == null)) {
            throw new BootPlanException(new ConfigError(file.file(), 0,
                    "no kernel: set kernelBoot.files or kernelBoot.container here or in its profile"));
        }
        BootFile kernel;
        List<BootFile> initrds;
        String kernelArgs = kb.effectiveKernelArgs();
        String argsFrom = "kernelArgs";
        if (kb.container() != null) {
            ContainerBoot image = ContainerBoot.plan(snapshot, file, kb.container(), machine, images);
            kernel = image.kernel();
            initrds = image.initrds();
            if (kernelArgs == null && image.kernelArgs().isPresent()) {
                kernelArgs = image.kernelArgs().get();
                argsFrom = "label org.bootferry.kernelArgs of " + kb.container().image();
            }
        } else {
            kernel = new BootFile.Local(Path.of(kb.files().kernel()));
            initrds = kb.files().initrd() == null ? List.of()
                    : kb.files().initrd().stream().<BootFile>map(p -> new BootFile.Local(Path.of(p))).toList();
        }
        String hostname = c.hostname() != null ? c.hostname() : machine.mac().dashed();
        BootPlan unrendered = new BootPlan(machine, hostname, server, serverUrl,
                bootFile(settings, machine, serverUrl, fetches, served), kernel, initrds, "", localBoot);
        String cmdline = "";
        if (kernelArgs != null) {
            try {
                // Errors name the machine file below, so the parsed form can be shared across machines.
                cmdline = Template.parseCached(KERNEL_ARGS, kernelArgs).render(values(unrendered, c), Template.Escaper.NONE);
            } catch (TemplateException e) {
                throw new BootPlanException(new ConfigError(file.file(), 0, argsFrom + ": " + e.error().message()));
            }
            // The command line is one line of an iPXE script or a pxelinux/GRUB config: a line
            // break (from a variable) would start a new command there.
            if (cmdline.indexOf('\n') >= 0 || cmdline.indexOf('\r') >= 0) {
                throw new BootPlanException(new ConfigError(file.file(), 0,
                        argsFrom + ": the rendered command line contains a line break"));
            }
        }
        return new BootPlan(machine, hostname, server, serverUrl, unrendered.bootFile(), kernel, initrds, cmdline,
                localBoot);
    }

    /**
     * What DHCP names as the boot file. iPXE gets the script URL (that is what ends the chainload:
     * handing iPXE another iPXE would loop), unless the server's iPXE is to run and this one is not it
     * (see {@link #chainloadsOurIpxe}); UEFI HTTP Boot gets the loader by URL; everything else the
     * first-stage loader over TFTP.
     */
    private static String bootFile(ServerSettings settings, Machine machine, URI serverUrl,
            Optional<LoaderFetches> fetches, Optional<LoaderPresence> served) {
        String loaderFirmware = machine.firmware().httpBoot()
                ? machine.firmware().id().replace("http-", "efi-") : machine.firmware().id();
        String loader = settings.loaders().get(loaderFirmware);
        if (machine.ipxe()) {
            if (loader != null && chainloadsOurIpxe(settings, machine, loader, fetches)) {
                // Over HTTP, with the MAC in the URL: the fetch is recorded by MAC even when the
                // machine is behind a router, where no neighbour table knows it.
                return serverUrl + "/tftp/" + loader + "?mac=" + machine.mac();
            }
            return BootPlan.scriptUrl(serverUrl, machine).toString();
        }
        if (loader == null) {
            throw new BootPlanException(new ConfigError(Path.of("server.yaml"), 0, "no loader for firmware "
                    + machine.firmware() + ": add one under 'loaders:' (e.g. " + loaderFirmware + ": snp.efi)"));
        }
        if (served.isPresent() && !served.get().has(loader)) {
            // The default arm64 loader (snp.efi) in particular: Debian ships no arm64 iPXE. Sent to
            // fetch a missing file the firmware would stop at a TFTP "file not found"; unanswered,
            // another boot server on the segment may serve it, and this error says what to do.
            throw new BootPlanException(new ConfigError(Path.of("server.yaml"), 0, "loader '" + loader + "' for firmware "
                    + machine.firmware() + " is not in " + served.get().where() + ": put it there, or name another under "
                    + "'loaders:' (e.g. " + loaderFirmware + ": grubnetaa64.efi; see the README)"));
        }
        return machine.firmware().httpBoot() ? serverUrl + "/tftp/" + loader : loader;
    }

    /**
     * With {@code chainload: {ipxe: server}}, an iPXE that did not fetch our loader moments ago is
     * the NIC's own and chainloads ours first. Without fetch records (a planner not serving, e.g.
     * explain) nothing could ever tell ours apart, so iPXE gets the script as with {@code firmware}.
     */
    private static boolean chainloadsOurIpxe(ServerSettings settings, Machine machine, String loader,
            Optional<LoaderFetches> fetches) {
        return settings.chainload().ipxe() == ServerSettings.Chainload.Ipxe.SERVER && fetches.isPresent()
                && !fetches.get().fetchedRecently(machine.mac(), loader);
    }

    /** Follows {@code profile:} links; the machine's own values win over its profile's. */
    private static MachineConfig resolveProfiles(ConfigSnapshot snapshot, MachineFile file) {
        MachineConfig c = file.config();
        List<String> seen = new ArrayList<>();
        while (c.profile() != null) {
            if (seen.contains(c.profile())) {
                seen.add(c.profile());
                throw new BootPlanException(new ConfigError(file.file(), 0, "profiles include each other: "
                        + String.join(" -> ", seen)));
            }
            seen.add(c.profile());
            ConfigSnapshot.ProfileFile profile = snapshot.profiles().get(c.profile());
            if (profile == null) {
                throw new BootPlanException(new ConfigError(file.file(), 0, "profile '" + c.profile() + "' not found"));
            }
            c = c.over(profile.config());
        }
        return c;
    }

    private static Map<String, Object> values(BootPlan plan, MachineConfig c) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("mac", plan.machine().mac().toString());
        values.put("hostname", plan.hostname());
        values.put("firmware", plan.machine().firmware().id());
        values.put("arch", plan.machine().firmware().arch().ociName());
        values.put("serverUrl", plan.serverUrl().toString());
        values.put("kickstartUrl", plan.kickstartUrl().toString());
        values.put("filesUrl", plan.filesUrl().toString());
        values.put("kernelUrl", plan.kernelUrl().toString());
        values.put("initrdUrl", plan.initrdUrl(0).toString());
        values.put("vars", c.vars() == null ? Map.of() : c.vars());
        return values;
    }

    private static InetAddress address(ServerSettings settings) {
        try {
            return InetAddress.getByName(settings.advertise().orElse(settings.bind()));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("settings hold a checked literal address", e);
        }
    }

    /**
     * {@code http://server[:port]}. Every DHCP answer plans, and parsing this URI was a tenth of an
     * answer's time on the event loop (bench/dhcp-bench.sh under perf); a host has a handful of
     * addresses, so the few parsed ones are kept (all forgotten, should a config ever name many).
     */
    private static URI serverUrl(InetAddress server, int httpPort) {
        ServerUrlKey key = new ServerUrlKey(server, httpPort);
        URI url = SERVER_URLS.get(key);
        if (url == null) {
            url = URI.create("http://" + hostPart(server) + (httpPort == 80 ? "" : ":" + httpPort));
            if (SERVER_URLS.size() >= MAX_SERVER_URLS) {
                SERVER_URLS.clear();
            }
            SERVER_URLS.put(key, url);
        }
        return url;
    }

    private record ServerUrlKey(InetAddress server, int httpPort) {
    }

    private static String hostPart(InetAddress address) {
        String host = address.getHostAddress();
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
