package org.bootferry.boot;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bootferry.config.ConfigError;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.MachineFile;
import org.bootferry.config.ServerSettings;
import org.bootferry.lang.AddressText;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.Machine;

/**
 * Turns one machine file into a {@link BootPlan} for one request: the kernel and initrds (local files
 * or an image's), the command line rendered from {@code kernelArgs}, and what DHCP names as the boot
 * file for the firmware that asked. The rule, which {@code explain} states per machine:
 * <ul>
 * <li>A machine's loader for a firmware is its own ({@code loaders:} in its file or profile), else
 * server.yaml's.
 * <li>A machine's kernel and initrd are local files, an image's, or an install tree's ({@code location}).
 * <li>A machine with a kernel boots it (or its disk, once a {@code bootOnce} install is done): PXE
 * firmware gets its loader over TFTP, UEFI HTTP Boot the loader's URL, iPXE the script (with
 * {@code chainload: {ipxe: server}}, the loader's URL first); a pxelinux or GRUB asking for its
 * per-machine config gets one rendered from the plan.
 * <li>Every plan of a machine whose {@code access} is not {@code open} carries a capability issued
 * for it now: its private URLs carry it ({@link BootUrls}).
 * <li>A machine whose file names no kernel boots a loader of its own and that loader's menu: every
 * client gets the loader (PXE over TFTP, HTTP Boot and iPXE by URL) and the tftproot's configs as
 * they are, so pxelinux reads {@code pxelinux.cfg/default}, GRUB {@code grub.cfg}.
 * </ul>
 */
final class Plans {

    private static final Path KERNEL_ARGS = Path.of("kernelArgs");
    /** iPXE boots what a script names; without a kernel there is no script, so iPXE would fetch itself again. */
    private static final Set<String> IPXE_LOADERS = Set.copyOf(ServerSettings.DEFAULT_LOADERS.values());

    private Plans() {
    }

    /**
     * @param localBoot true when the machine installed already ({@code bootOnce})
     * @param deps      where image files, loader fetches and loader presence come from; a config check
     *                  passes {@link BootPlanner.Dependencies#of}'s, which fetch nothing
     * @throws BootPlanException when the file can't be turned into a plan
     */
    static BootPlan plan(ResolvedConfig config, MachineFile file, Machine machine, boolean localBoot,
            BootPlanner.Dependencies deps) {
        ServerSettings settings = config.snapshot().settings();
        MachineConfig c = config.resolve(file);
        InetAddress server = machine.server().map(to -> reachable(to, settings)).orElseGet(() -> address(settings));
        URI serverUrl = BootUrls.serverUrl(server, settings.httpPort());
        URI loaderUrl = loaderUrl(settings, machine, server, serverUrl);
        String hostname = c.hostname() != null ? c.hostname() : machine.mac().dashed();
        // A fresh one with every plan: each stage hands the next its URLs, so a lifetime bounds a step.
        Optional<Capability> capability = c.openAccess() ? Optional.empty()
                : Optional.of(deps.capabilities().issue(machine.mac()));
        MachineConfig.KernelBoot kb = c.kernelBoot();
        if (!hasKernel(c)) {
            String bootFile = loaderMenu(file, c, machine, serverUrl, loaderUrl, localBoot, capability, deps);
            return new BootPlan(machine, hostname, server, serverUrl, bootFile, Optional.empty(), List.of(), "", localBoot,
                    capability);
        }
        BootFile kernel;
        List<BootFile> initrds;
        String kernelArgs = kb.effectiveKernelArgs();
        String argsFrom = "kernelArgs";
        if (kb.container() != null) {
            ContainerBoot image = ContainerBoot.plan(config.snapshot(), file, kb.container(), machine, deps.images());
            kernel = image.kernel();
            initrds = image.initrds();
            if (kernelArgs == null && image.kernelArgs().isPresent()) {
                kernelArgs = image.kernelArgs().get();
                argsFrom = "label org.bootferry.kernelArgs of " + kb.container().image();
            }
        } else if (kb.location() != null) {
            LocationBoot tree = LocationBoot.plan(config.snapshot(), file, kb, machine, deps.images());
            kernel = tree.kernel();
            initrds = tree.initrds();
        } else {
            kernel = new BootFile.Local(Path.of(kb.files().kernel()));
            initrds = kb.files().initrd() == null ? List.of()
                    : kb.files().initrd().stream().<BootFile>map(p -> new BootFile.Local(Path.of(p))).toList();
        }
        BootPlan unrendered = new BootPlan(machine, hostname, server, serverUrl,
                bootFile(file, c, settings, machine, serverUrl, loaderUrl, capability, deps), Optional.of(kernel), initrds, "",
                localBoot, capability);
        String cmdline = "";
        if (kernelArgs != null) {
            try {
                // Errors name the machine file below, so the parsed form can be shared across machines.
                cmdline = Template.parseCached(KERNEL_ARGS, kernelArgs)
                        .render(InstallFiles.values(unrendered, c), Template.Escaper.NONE);
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
        cmdline = KernelArgs6.forFamily(NoCloud.withDatasource(cmdline, c, unrendered.filesUrl()),
                server instanceof java.net.Inet6Address);
        return new BootPlan(machine, hostname, server, serverUrl, unrendered.bootFile(), Optional.of(kernel), initrds,
                cmdline, localBoot, capability);
    }

    /** Whether the machine's file (with its profiles) names a kernel; without, it boots its loader's own menu. */
    static boolean hasKernel(MachineConfig c) {
        MachineConfig.KernelBoot kb = c.kernelBoot();
        return kb != null && (kb.files() != null || kb.container() != null || kb.location() != null);
    }

    /**
     * {@code firmware}, or for a machine without a kernel and without a loader for it, the first
     * firmware it names a loader for: what a request that does not say its firmware (a kickstart
     * URL) and a config check plan such a machine for, since it boots no other.
     */
    static Firmware bootable(MachineConfig c, Firmware firmware) {
        if (hasKernel(c) || c.loaders() == null || c.loaders().containsKey(firmware.loaderFirmware().id())) {
            return firmware;
        }
        return c.loaders().keySet().stream().map(Firmware::byId).flatMap(Optional::stream).findFirst().orElse(firmware);
    }

    /**
     * The base of the loader URL a machine is handed: https for UEFI HTTP Boot when the server has an
     * {@code https:} section (EDK2's HttpBootDxe checks the certificate against the CA the firmware
     * was given; UEFI 2.10 section 24.7, HTTP Boot), else the plain one. iPXE, loaders and installers get
     * plain http: their builds trust no CA of ours (see the README's Security section).
     */
    private static URI loaderUrl(ServerSettings settings, Machine machine, InetAddress server, URI serverUrl) {
        if (machine.firmware().httpBoot() && !machine.ipxe() && settings.https().isPresent()) {
            return BootUrls.httpsServerUrl(server, settings.https().get().port());
        }
        return serverUrl;
    }

    /**
     * What DHCP names as the boot file of a machine with a kernel. iPXE gets the script URL (that is
     * what ends the chainload: handing iPXE another iPXE would loop), unless the server's iPXE is to
     * run and this one is not it (see {@link #chainloadsOurIpxe}); UEFI HTTP Boot gets the loader by
     * URL; everything else the first-stage loader over TFTP.
     */
    private static String bootFile(MachineFile file, MachineConfig c, ServerSettings settings, Machine machine,
            URI serverUrl, URI loaderUrl, Optional<Capability> capability, BootPlanner.Dependencies deps) {
        Optional<String> loader = loader(c, settings, machine.firmware());
        if (machine.ipxe()) {
            if (loader.isPresent() && chainloadsOurIpxe(settings, machine, loader.get(), deps)) {
                return BootUrls.loader(serverUrl, loader.get(), machine.mac());
            }
            return BootUrls.script(serverUrl, machine, capability).toString();
        }
        String name = loader.orElseThrow(() -> new BootPlanException(new ConfigError(Path.of("server.yaml"), 0,
                "no loader for firmware " + machine.firmware() + ": add one under 'loaders:' (e.g. "
                        + machine.firmware().loaderFirmware().id() + ": snp.efi)")));
        present(file, c, name, machine.firmware(), deps);
        return machine.firmware().httpBoot() ? BootUrls.loader(loaderUrl, name, machine.mac()) : name;
    }

    /**
     * What DHCP names as the boot file of a machine without a kernel: its own loader, by URL for
     * iPXE and UEFI HTTP Boot, by TFTP name for PXE firmware. Once a {@code bootOnce} install is
     * done, iPXE gets the script, which boots the disk.
     */
    private static String loaderMenu(MachineFile file, MachineConfig c, Machine machine, URI serverUrl,
            URI loaderUrl, boolean localBoot, Optional<Capability> capability, BootPlanner.Dependencies deps) {
        String firmware = machine.firmware().loaderFirmware().id();
        String loader = c.loaders() == null ? null : c.loaders().get(firmware);
        if (loader == null) {
            throw new BootPlanException(new ConfigError(file.file(), 0, "no kernel: set kernelBoot.files,"
                    + " kernelBoot.container or kernelBoot.location here or in its profile, or name a loader whose own menu it boots"
                    + " (loaders: {" + firmware + ": …}; it names none for " + firmware + ")"));
        }
        if (IPXE_LOADERS.contains(loader)) {
            throw new BootPlanException(new ConfigError(file.file(), 0, "loaders: " + firmware + ": " + loader
                    + " is iPXE, which boots what a script names, and without a kernel there is none: set"
                    + " kernelBoot, or name a loader with a menu of its own (pxelinux.0, a GRUB image)"));
        }
        if (machine.ipxe() && localBoot) {
            return BootUrls.script(serverUrl, machine, capability).toString();
        }
        present(file, c, loader, machine.firmware(), deps);
        return machine.ipxe() || machine.firmware().httpBoot() ? BootUrls.loader(loaderUrl, loader, machine.mac()) : loader;
    }

    /** The machine's loader for {@code firmware}: its own, else server.yaml's. */
    static Optional<String> loader(MachineConfig c, ServerSettings settings, Firmware firmware) {
        String id = firmware.loaderFirmware().id();
        if (c.loaders() != null && c.loaders().containsKey(id)) {
            return Optional.of(c.loaders().get(id));
        }
        return Optional.ofNullable(settings.loaders().get(id));
    }

    /**
     * Throws when {@code loader} is not there to be served. The default arm64 loader (snp.efi) in
     * particular: Debian ships no arm64 iPXE. Sent to fetch a missing file the firmware would stop at
     * a TFTP "file not found"; unanswered, another boot server on the segment may serve it, and this
     * error says what to do.
     */
    private static void present(MachineFile file, MachineConfig c, String loader, Firmware firmware,
            BootPlanner.Dependencies deps) {
        Optional<String> missing = deps.missingLoader().apply(loader);
        if (missing.isPresent()) {
            boolean own = c.loaders() != null && loader.equals(c.loaders().get(firmware.loaderFirmware().id()));
            throw new BootPlanException(new ConfigError(own ? file.file() : Path.of("server.yaml"), 0, "loader '"
                    + loader + "' for firmware " + firmware + " is not in " + missing.get() + ": put it there, or name"
                    + " another under 'loaders:' (e.g. " + firmware.loaderFirmware().id() + ": grubnetaa64.efi; see the README)"));
        }
    }

    /**
     * With {@code chainload: {ipxe: server}}, an iPXE that did not fetch our loader moments ago is
     * the NIC's own and chainloads ours first.
     */
    private static boolean chainloadsOurIpxe(ServerSettings settings, Machine machine, String loader,
            BootPlanner.Dependencies deps) {
        return settings.chainload().ipxe() == ServerSettings.Chainload.Ipxe.SERVER
                && !deps.fetchedLoader().test(machine.mac(), loader);
    }

    /**
     * The address of ours a request came to, as the machine's URLs name it: itself, unless it is an
     * IPv6 link-local one. That would need the machine's zone in every URL, which EDK2 does not parse
     * (PxeBcExtractBootFileUrl) and which names the client's interface ({@code net0} in iPXE), unknown
     * here; such a machine is sent to {@code advertise6}, which it reaches through its router or on-link.
     */
    private static InetAddress reachable(InetAddress to, ServerSettings settings) {
        if (!(to instanceof java.net.Inet6Address) || !to.isLinkLocalAddress() && !to.isAnyLocalAddress()) {
            return to;
        }
        String advertise6 = settings.advertise6().orElseThrow(() -> new BootPlanException(new ConfigError(
                Path.of("server.yaml"), 0, "a machine reached bootferry at " + AddressText.of(to) + ", which no URL"
                        + " can name (a link-local address needs the machine's zone): set advertise6 to a global or"
                        + " unique local address of this host")));
        try {
            return InetAddress.getByName(advertise6);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("settings hold a checked literal address", e);
        }
    }

    private static InetAddress address(ServerSettings settings) {
        try {
            return InetAddress.getByName(settings.advertise().orElse(settings.bind()));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("settings hold a checked literal address", e);
        }
    }
}
