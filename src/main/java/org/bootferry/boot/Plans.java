package org.bootferry.boot;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.bootferry.config.ConfigError;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.MachineFile;
import org.bootferry.config.ServerSettings;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.Machine;

/**
 * Turns one machine file into a {@link BootPlan} for one request: the kernel and initrds (local files
 * or an image's), the command line rendered from {@code kernelArgs}, and what DHCP names as the boot
 * file for the firmware that asked.
 */
final class Plans {

    private static final Path KERNEL_ARGS = Path.of("kernelArgs");

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
        InetAddress server = machine.server().orElseGet(() -> address(settings));
        URI serverUrl = BootUrls.serverUrl(server, settings.httpPort());
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
            ContainerBoot image = ContainerBoot.plan(config.snapshot(), file, kb.container(), machine, deps.images());
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
                bootFile(settings, machine, serverUrl, deps), kernel, initrds, "", localBoot);
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
            BootPlanner.Dependencies deps) {
        String loaderFirmware = loaderFirmware(machine.firmware());
        String loader = settings.loaders().get(loaderFirmware);
        if (machine.ipxe()) {
            if (loader != null && chainloadsOurIpxe(settings, machine, loader, deps)) {
                return BootUrls.loader(serverUrl, loader, Optional.of(machine.mac()));
            }
            return BootUrls.script(serverUrl, machine).toString();
        }
        if (loader == null) {
            throw new BootPlanException(new ConfigError(Path.of("server.yaml"), 0, "no loader for firmware "
                    + machine.firmware() + ": add one under 'loaders:' (e.g. " + loaderFirmware + ": snp.efi)"));
        }
        Optional<String> missing = deps.missingLoader().apply(loader);
        if (missing.isPresent()) {
            // The default arm64 loader (snp.efi) in particular: Debian ships no arm64 iPXE. Sent to
            // fetch a missing file the firmware would stop at a TFTP "file not found"; unanswered,
            // another boot server on the segment may serve it, and this error says what to do.
            throw new BootPlanException(new ConfigError(Path.of("server.yaml"), 0, "loader '" + loader + "' for firmware "
                    + machine.firmware() + " is not in " + missing.get() + ": put it there, or name another under "
                    + "'loaders:' (e.g. " + loaderFirmware + ": grubnetaa64.efi; see the README)"));
        }
        return machine.firmware().httpBoot() ? BootUrls.loader(serverUrl, loader, Optional.empty()) : loader;
    }

    /** The loader {@code server.yaml} names for {@code firmware}; null when it names none. */
    static String loader(ServerSettings settings, Firmware firmware) {
        return settings.loaders().get(loaderFirmware(firmware));
    }

    /** UEFI HTTP Boot runs the loader of the same architecture's PXE: {@code http-x64} gets {@code efi-x64}'s. */
    private static String loaderFirmware(Firmware firmware) {
        return firmware.httpBoot() ? firmware.id().replace("http-", "efi-") : firmware.id();
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

    private static InetAddress address(ServerSettings settings) {
        try {
            return InetAddress.getByName(settings.advertise().orElse(settings.bind()));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("settings hold a checked literal address", e);
        }
    }
}
