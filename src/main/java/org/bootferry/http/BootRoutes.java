package org.bootferry.http;

import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bootferry.boot.BootFile;
import org.bootferry.boot.BootPlan;
import org.bootferry.boot.BootUrls;
import org.bootferry.boot.Capabilities;
import org.bootferry.boot.IpxeScript;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;

/**
 * What a booting machine fetches, at the URLs {@link BootUrls} hands it: the iPXE script, kernel and
 * initrds, kickstart, install files, first-stage loaders, and {@code POST /done/M}. Each step is
 * reported to the {@link org.bootferry.machine.BootLog}.
 */
final class BootRoutes {

    private static final String OCTETS = HttpHeaderValues.APPLICATION_OCTET_STREAM.toString();

    private final HttpServices services;
    private final OffLoop offLoop;
    private final FileResponder files;
    private final Guard guard;

    /** @param guard where refusals are logged, once per client and cause a minute */
    BootRoutes(HttpServices services, OffLoop offLoop, Guard guard) {
        this.services = services;
        this.offLoop = offLoop;
        this.guard = guard;
        this.files = new FileResponder(offLoop, guard);
    }

    List<Route> routes() {
        return List.of(
                Route.boot(Route.READ, "script", BootUrls.Script.class, this::script),
                Route.boot(Route.READ, "kernel", BootUrls.BootFileRef.class, f -> f.kernel(), this::bootFile),
                Route.boot(Route.READ, "initrd", BootUrls.BootFileRef.class, f -> !f.kernel(), this::bootFile),
                Route.boot(Route.READ, "kickstart", BootUrls.Kickstart.class, this::kickstart),
                Route.boot(Route.READ, "install-file", BootUrls.InstallFile.class, this::installFile),
                Route.boot(Route.READ, "loader", BootUrls.Loader.class, this::loader),
                Route.boot(Route.READ, "loader-config", BootUrls.LoaderConfigFile.class, this::loaderConfig),
                Route.boot(Route.POST, "done", BootUrls.Done.class, this::done));
    }

    private void script(Exchange ex, BootUrls.Script request) throws Refusal {
        admit(ex, request);
        MacAddress mac = request.mac();
        IpxeScript script = services.booter().script(machine(ex, mac, request.firmware()))
                .orElseThrow(() -> Refusal.unknownMachine(mac));
        BootEvent.Stage stage = script.localBoot() ? BootEvent.Stage.LOCAL_BOOT : BootEvent.Stage.SCRIPT;
        record(mac, stage, ex.request().uri());
        ex.send(HttpResponseStatus.OK, Exchange.TEXT, script.text());
    }

    private void bootFile(Exchange ex, BootUrls.BootFileRef request) throws Refusal {
        MacAddress mac = request.mac();
        BootPlan plan = plan(ex, mac, request.firmware());
        Optional<BootFile> named = request.kernel() ? plan.kernel()
                : request.initrd() < plan.initrds().size() ? Optional.of(plan.initrds().get(request.initrd()))
                : Optional.empty();
        // A public file (an image's, a tree's) is answered on its static URL too; a capability, when sent, must be right.
        if (named.map(BootFile::isPrivate).orElse(true) || request.capability().isPresent()) {
            admit(ex, request);
        }
        BootFile file = named.orElseThrow(() -> new Refusal(HttpResponseStatus.NOT_FOUND, request.kernel()
                ? "machine " + mac + " has no kernel of its own: it boots its loader's menu (see bootferry explain "
                        + mac + ")"
                : "machine " + mac + " has " + plan.initrds().size() + " initrd(s); there is no initrd "
                        + request.initrd()));
        BootEvent.Stage stage = request.kernel() ? BootEvent.Stage.KERNEL : BootEvent.Stage.INITRD;
        String uri = ex.request().uri();
        files.serve(ex, file, OCTETS, new FileResponder.Outcome() {
            @Override
            public void sent(long bytes, long millis) {
                services.log().record(BootEvent.transfer(mac, stage, uri, bytes, millis));
            }

            @Override
            public void unavailable(String reason) {
                record(mac, BootEvent.Stage.FAILED, stage + " " + reason);
            }
        });
    }

    private void kickstart(Exchange ex, BootUrls.Kickstart request) throws Refusal {
        admit(ex, request);
        MacAddress mac = request.mac();
        String text = services.booter().kickstart(machine(ex, mac, Firmware.BIOS)).orElseThrow(() -> new Refusal(
                HttpResponseStatus.NOT_FOUND, "machine " + mac + " has no kickstart (set 'kickstart:' in its machine"
                        + " file)"));
        record(mac, BootEvent.Stage.KICKSTART, ex.request().uri());
        ex.send(HttpResponseStatus.OK, Exchange.TEXT, text);
    }

    private void installFile(Exchange ex, BootUrls.InstallFile request) throws Refusal {
        admit(ex, request);
        MacAddress mac = request.mac();
        String text = services.booter().installFile(machine(ex, mac, Firmware.BIOS), request.name())
                .orElseThrow(() -> new Refusal(HttpResponseStatus.NOT_FOUND, "machine " + mac + " has no install file '"
                        + request.name() + "' (see 'files:' in its machine file)"));
        record(mac, BootEvent.Stage.INSTALL_FILE, ex.request().uri());
        ex.send(HttpResponseStatus.OK, Exchange.TEXT, text);
    }

    /**
     * A file of the tftproot: a loader for UEFI HTTP Boot or for an iPXE, and what that loader fetches
     * relative to itself (pxelinux's ldlinux.c32 and menus, shim's grubx64.efi, GRUB's modules).
     */
    private void loader(Exchange ex, BootUrls.Loader request) throws Refusal {
        tftpRootFile(ex, request.name(), request.mac());
    }

    /**
     * A pxelinux or GRUB config, rendered when the machine has a boot of its own here, else the
     * tftproot's file of that name (a stock tree's, or none, and the loader asks for its next name).
     */
    private void loaderConfig(Exchange ex, BootUrls.LoaderConfigFile request) throws Refusal {
        Optional<String> config = services.booter().loaderConfig(request, Optional.of(ex.local()));
        if (config.isPresent()) {
            ex.send(HttpResponseStatus.OK, Exchange.TEXT, config.get());
        } else {
            tftpRootFile(ex, request.name(), Optional.of(request.mac()));
        }
    }

    /**
     * Serves {@code name} from the tftproot and records it as fetched by {@code mac}, or when the URL
     * names none by the client's address. EDK2 decides what it downloaded by Content-Type first
     * ({@code application/efi}), then by extension.
     */
    private void tftpRootFile(Exchange ex, String name, Optional<MacAddress> mac) throws Refusal {
        LoaderFiles loaders = services.loaders();
        Path file;
        String normalised;
        try {
            normalised = LoaderFiles.normalise(name);
            file = loaders.find(normalised).orElseThrow(() -> new Refusal(HttpResponseStatus.NOT_FOUND,
                    "no file '" + LoaderFiles.printable(name) + "' in " + loaders.directories()));
        } catch (LoaderFiles.Refusal e) {
            guard.refused(ex.remote(), "tftp-name", "refused " + ex.request().uri() + " from "
                    + ex.ctx().channel().remoteAddress() + ": " + e.getMessage());
            throw new Refusal(HttpResponseStatus.FORBIDDEN, e.getMessage());
        }
        if (mac.isPresent()) {
            services.fetches().fetched(mac.get(), normalised);
        } else {
            services.fetches().fetched(ex.remote(), normalised);
        }
        files.serve(ex, new BootFile.Local(file), name.endsWith(".efi") ? "application/efi" : OCTETS,
                FileResponder.Outcome.NONE);
    }

    /**
     * The capability authorizes the report: only the machine's own installer was handed it. A static
     * {@code /done/M} (an {@code access: open} machine) is under {@code api:}'s rules instead.
     */
    private void done(Exchange ex, BootUrls.Done request) throws Refusal {
        MacAddress mac = request.mac();
        admit(ex, request);
        if (request.capability().isEmpty()) {
            ApiAccess.authorize(ex, services.config().get().settings().api(), ApiAccess.Scope.REPORT);
        }
        plan(ex, mac, Firmware.BIOS);
        String from = ex.remote().getHostAddress();
        offLoop.changeState(ex, "cannot record the install: ", () -> {
            services.installs().markInstalled(mac, Instant.now());
            record(mac, BootEvent.Stage.DONE, "install reported done from " + from);
            return "recorded: " + mac + " installed";
        });
    }

    /**
     * Refuses a request of a machine's own URL that does not carry its live capability (unless the
     * machine is {@code access: open}): 404, as for a URL that names nothing, so that a prober learns
     * nothing, and a boot event of the machine naming the address that asked.
     */
    private void admit(Exchange ex, BootUrls.Private request) throws Refusal {
        Optional<Capabilities.Refusal> refusal = services.booter().refusal(request);
        if (refusal.isPresent()) {
            String from = ex.remote().getHostAddress();
            record(request.mac(), BootEvent.Stage.REFUSED, ex.request().method() + " " + ex.request().uri() + " from " + from
                    + ": " + refusal.get());
            throw new Refusal(HttpResponseStatus.NOT_FOUND, "not found");
        }
    }

    private BootPlan plan(Exchange ex, MacAddress mac, Firmware firmware) throws Refusal {
        return services.booter().plan(machine(ex, mac, firmware)).orElseThrow(() -> Refusal.unknownMachine(mac));
    }

    /** The machine as HTTP sees it: our address is the one the request came in on. */
    private static Machine machine(Exchange ex, MacAddress mac, Firmware firmware) {
        return new Machine(mac, firmware, true, Optional.of(ex.local()));
    }

    private void record(MacAddress mac, BootEvent.Stage stage, String detail) {
        services.log().record(BootEvent.now(mac, stage, detail));
    }
}
