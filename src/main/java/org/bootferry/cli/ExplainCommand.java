package org.bootferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bootferry.boot.BootPlanException;
import org.bootferry.boot.BootPlanner;
import org.bootferry.boot.Explanation;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.image.ImageResolver;
import org.bootferry.journal.BootState;
import org.bootferry.journal.StateDirectory;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.loader.LoaderImages;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.server.Advertised;
import org.bootferry.server.BootServer;
import org.bootferry.server.DhcpServerMode;
import org.bootferry.server.ImageSupport;
import org.bootferry.server.ListenerException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bootferry explain MAC}: what each stage would serve this machine, without serving it. */
@Command(name = "explain", description = "Show what each boot stage would serve a machine.")
final class ExplainCommand implements Callable<Integer> {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module())
            .enable(SerializationFeature.INDENT_OUTPUT);

    @Mixin
    ConfigOption config;

    @Mixin
    StateOption state;

    @Parameters(paramLabel = "MAC", converter = Converters.Mac.class,
            description = "The machine's MAC address, in any common spelling.")
    MacAddress address;

    @Option(names = "--firmware", paramLabel = "KIND", defaultValue = "bios", converter = Converters.FirmwareKind.class,
            description = "Firmware asking: bios, efi-x64, efi-arm64, http-x64, … (default: ${DEFAULT-VALUE}).")
    Firmware fw;

    @Option(names = "--json", description = "Print the explanation as JSON (as GET /api/machines/MAC does).")
    boolean json;

    private static String digest(Explanation.Source source) {
        return source.digest().map(d -> " (" + d + ")").orElse(source.from().startsWith("image ")
                ? " (not cached: bootferry pull fetches it)" : "");
    }

    @Override
    public Integer call() throws Exception {
        ConfigOption.Loaded loaded = config.load(state.overrides());
        loaded.errors().forEach(e -> System.err.println("warning: " + e));
        ConfigSnapshot snapshot = advertised(loaded.snapshot());
        Path stateDir = snapshot.settings().state();
        BootPlanner.Dependencies deps = BootPlanner.Dependencies.of(() -> snapshot);
        if (java.nio.file.Files.isDirectory(stateDir)) {
            try {
                StateDirectory.claim(stateDir);
                deps = deps.withInstalls(new BootState(stateDir));
            } catch (IOException e) {
                System.err.println("warning: boot-once state not shown: " + BootServer.stateUnusable(stateDir, e));
            }
        }
        try {
            deps = deps.withLoaderImages(new LoaderImages(LoaderFiles.withDebianIpxe(snapshot.settings().tftpRoot())));
        } catch (IOException e) {
            System.err.println("warning: loaders not read (their chains say unknown): tftpRoot " + snapshot.settings().tftpRoot()
                    + ": " + e.getMessage());
        }
        Optional<ImageResolver> images = images(loaded);
        if (images.isPresent()) {
            deps = deps.withImages(images.get(), new SimpleMeterRegistry());
        }
        Optional<Explanation> explanation;
        try {
            explanation = new BootPlanner(deps).explain(address);
        } catch (BootPlanException e) {
            // Every firmware refused: the file (or its kernel) says why, e.g. an ELF vmlinux.
            System.out.println(address + ": not booted: " + e.getMessage());
            return 1;
        }
        List<String> addressLines = addressLines(snapshot);
        if (explanation.isEmpty()) {
            addressLines.forEach(System.out::println);
            System.out.println(address + ": not answered (no machines/" + address.dashed()
                    + ".yaml and no machines/default.yaml)");
            return 1;
        }
        Explanation e = explanation.get();
        if (json) {
            System.out.println(JSON.writeValueAsString(e));
            return 0;
        }
        System.out.println("machine   " + e.mac() + " (" + e.hostname() + ") from " + e.machineFile()
                + e.profile().map(p -> ", profile " + p).orElse(""));
        System.out.println("dhcp      boot file " + e.dhcp().get(fw.id()) + " for " + fw + ", next-server " + e.nextServer());
        addressLines.forEach(System.out::println);
        System.out.println("ipxe      boot file " + e.dhcp().get("ipxe"));
        e.chains().forEach((firmware, chain) -> System.out.printf("chain     %-10s %s%n%10s%-10s Secure Boot: %s%n",
                firmware, chain.stages(), "", "", chain.secureBoot()));
        e.loaderConfigs().forEach((loader, config) -> System.out.printf("%-9s %s%n", loader, config));
        if (e.kernel().isPresent()) {
            System.out.println("tftp      " + String.join(", ", e.tftpFiles()));
            System.out.println("kernel    " + e.kernel().get().url() + " <- " + e.kernel().get().from()
                    + digest(e.kernel().get()));
            e.kernelFormat().ifPresent(f -> System.out.println("format    " + f));
        } else {
            System.out.println("kernel    none of its own: it boots its loader (the boot file above) and that loader's menu");
        }
        e.warnings().forEach(w -> System.out.println("warning   " + w));
        e.initrds().forEach(i -> System.out.println("initrd    " + i.url() + " <- " + i.from() + digest(i)));
        if (e.kernel().isPresent()) {
            System.out.println("cmdline   " + e.cmdline());
        }
        if (e.bootOnce()) {
            System.out.println("bootOnce  " + e.installed().map(t -> "installed " + t + ": boots from local disk"
                    + " (bootferry reset " + e.mac() + " to install again)").orElse("not installed yet"));
        }
        System.out.println("script    " + e.dhcp().get("ipxe"));
        System.out.print(e.script().indent(10));
        e.files().forEach((name, url) -> System.out.println("file      " + name + " " + url));
        e.installFile().ifPresent(ks -> System.out.println("kickstart " + e.kickstartUrl() + " (" + ks.size()
                + " bytes, sha256 " + ks.sha256() + ")"));
        return 0;
    }

    /**
     * DHCP server mode's answer per pool: the address this machine would be offered and why, from the
     * lease journal as it stands. None in the other modes: there the site's DHCP server decides.
     */
    private List<String> addressLines(ConfigSnapshot snapshot) {
        List<Addressing.Choice> choices;
        try {
            choices = DhcpServerMode.fromDisk(snapshot).choices(address);
        } catch (IOException e) {
            System.err.println("warning: DHCP addresses not shown: " + e.getMessage());
            return List.of();
        }
        return choices.stream().map(c -> "address   " + c.address().map(a -> a.getHostAddress() + " ").orElse("")
                + "on " + c.pool() + ": " + c.how()).toList();
    }

    /** The address serve would advertise, so that next-server and the URLs are the ones machines get. */
    private static ConfigSnapshot advertised(ConfigSnapshot snapshot) {
        try {
            return Advertised.filledIn(snapshot);
        } catch (ListenerException e) {
            System.err.println("warning: " + e.getMessage());
            return snapshot;
        }
    }

    /**
     * The image cache, so that machines booting from images are explained (from the cache when the
     * image is there; explain never contacts a registry). The process ends right after, so it stays open.
     */
    private static Optional<ImageResolver> images(ConfigOption.Loaded loaded) {
        try {
            return Optional.of(ImageSupport.resolver(loaded.snapshot().settings()));
        } catch (IOException e) {
            System.err.println("warning: image cache " + loaded.snapshot().settings().cache() + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
