package org.bootferry.boot;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.MachineFile;
import org.bootferry.config.ServerSettings;
import org.bootferry.kernel.KernelFormat;
import org.bootferry.lang.AddressText;
import org.bootferry.loader.LoaderImage;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;

/** What every stage would answer one machine: the body of {@code bootferry explain} and {@code /api/machines/M}. */
final class Explainer {

    private Explainer() {
    }

    /**
     * @param planner the planner the machine's requests would ask, so that the answers are its own
     * @param file    the machine's file in {@code config}
     * @param server  the address the machine reaches us at; empty: {@code advertise}
     * @param loaders what the loader files are, by name
     */
    static Explanation explain(BootPlanner planner, ResolvedConfig config, MachineFile file, MacAddress mac,
            Optional<InetAddress> server, Optional<String> installed, Function<String, Optional<LoaderImage>> loaders) {
        Map<String, String> dhcp = new LinkedHashMap<>();
        Set<String> warnings = new LinkedHashSet<>();
        // What of the machine's file can't be honoured (a VM spec's field), as validate says it.
        config.snapshot().warnings().stream().filter(w -> w.file().equals(file.file()))
                .forEach(w -> warnings.add(w.message()));
        Map<String, Explanation.Chain> chains = new LinkedHashMap<>();
        MachineConfig c = config.resolve(file);
        boolean dhcpServer = config.snapshot().settings().dhcp().mode() == ServerSettings.Dhcp.Mode.SERVER;
        boolean ipv6 = server.filter(Inet6Address.class::isInstance).isPresent();
        for (Firmware firmware : Firmware.values()) {
            if (ipv6 && firmware == Firmware.BIOS) {
                dhcp.put(firmware.id(), "no DHCPv6: a BIOS PXE ROM speaks DHCPv4 only (PXE 2.1); its iPXE, once"
                        + " chainloaded over IPv4, may go on over IPv6");
                continue;
            }
            // A match file with match.arch serves only its firmware: each firmware's own file.
            Optional<MachineFile> own = config.snapshot().machine(mac, firmware);
            if (own.isEmpty()) {
                dhcp.put(firmware.id(), "not answered: no machine file serves it with this firmware (match.arch)");
                continue;
            }
            if (!own.get().equals(file)) {
                dhcp.put(firmware.id(), "served by " + own.get().file() + " (its match.arch), not by the file explained here");
                continue;
            }
            if (BootPlanner.pxeOfHttpBootMachine(c, new Machine(mac, firmware, false, server))) {
                dhcp.put(firmware.id(), "not answered: httpBoot: true (the firmware goes on to UEFI HTTP Boot)");
                continue;
            }
            try {
                BootPlan plan = planner.plan(config, file, new Machine(mac, firmware, false, server));
                dhcp.put(firmware.id(), ipv6 ? plan.bootFileUrl() : plan.bootFile());
                if (!plan.localBoot()) {
                    KernelPairing.problem(plan).ifPresent(p -> warnings.add(p.message()));
                    Plans.loader(c, config.snapshot().settings(), firmware)
                            .ifPresent(loader -> chains.put(firmware.id(), BootChains.of(plan, loader, loaders, dhcpServer)));
                }
            } catch (BootPlanException e) {
                dhcp.put(firmware.id(), "not booted: " + e.error().message());
            }
        }
        BootPlan plan = ipxePlan(planner, config, file, mac, server);
        dhcp.put("ipxe", plan.bootFile());
        List<Explanation.Source> initrds = new ArrayList<>();
        for (int i = 0; i < plan.initrds().size(); i++) {
            BootFile initrd = plan.initrds().get(i);
            initrds.add(new Explanation.Source(initrd.source(), plan.initrdUrl(i).toString(), initrd.knownDigest()));
        }
        Map<String, String> files = java.util.stream.Stream.concat(c.files() == null ? java.util.stream.Stream.empty()
                : c.files().keySet().stream(), NoCloud.names(c).stream()).sorted()
                .collect(Collectors.toMap(n -> n, n -> plan.filesUrl().resolve(n).toString(), (a, b) -> a,
                        LinkedHashMap::new));
        return new Explanation(mac.toString(), plan.hostname(), file.file().toString(),
                Optional.ofNullable(file.config().profile()), dhcp, chains, AddressText.of(plan.nextServer()),
                BootUrls.tftpBootFiles(plan.machine(), plan.initrds().size()), loaderConfigs(plan),
                plan.kernel().map(k -> new Explanation.Source(k.source(), plan.kernelUrl().toString(), k.knownDigest())),
                plan.kernel().flatMap(k -> k.knownFormat()).map(KernelFormat::describe),
                initrds, imagePull(planner, plan), plan.cmdline(), IpxeScript.render(plan), plan.kickstartUrl().toString(),
                Optional.ofNullable(c.kickstart()).map(t -> Explanation.Rendered.of(InstallFiles.render(config, c, plan, t))),
                files, Boolean.TRUE.equals(c.bootOnce()), installed, plan.localBoot(), List.copyOf(warnings));
    }

    /** Where the server's background pull of the plan's kernel image is, when one was started. */
    private static Optional<String> imagePull(BootPlanner planner, BootPlan plan) {
        return plan.kernel().filter(ImageBootFile.class::isInstance).map(ImageBootFile.class::cast)
                .flatMap(k -> planner.images().prefetch().flatMap(p -> p.state(k.request())));
    }

    /**
     * The plan iPXE gets: on BIOS (or, for a machine without a kernel, the firmware it names a loader
     * for: {@link Plans#bootable}), unless BIOS can't boot the machine's kernel (an arm64 kernel, say);
     * then on the first other firmware with a loader whose kernel is known to boot there (an image
     * variant not pulled yet proves nothing). When there is none, BIOS's refusal.
     */
    private static BootPlan ipxePlan(BootPlanner planner, ResolvedConfig config, MachineFile file, MacAddress mac,
            Optional<InetAddress> server) {
        BootPlanException refused;
        try {
            return planner.plan(config, file,
                    new Machine(mac, Plans.bootable(config.resolve(file), Firmware.BIOS), true, server));
        } catch (BootPlanException e) {
            refused = e;
        }
        for (Firmware firmware : Firmware.values()) {
            if (firmware == Firmware.BIOS || !config.snapshot().settings().loaders().containsKey(firmware.id())) {
                continue;
            }
            try {
                BootPlan plan = planner.plan(config, file, new Machine(mac, firmware, true, server));
                if (plan.kernel().flatMap(k -> k.knownFormat()).isPresent()) {
                    return plan;
                }
            } catch (BootPlanException e) {
                // refused here too
            }
        }
        throw refused;
    }

    /** Which config pxelinux and GRUB get when they ask for this machine's, by the rule of {@link Plans}. */
    private static Map<String, String> loaderConfigs(BootPlan plan) {
        MacAddress mac = plan.machine().mac();
        Map<String, String> configs = new LinkedHashMap<>();
        if (plan.ownBoot()) {
            String how = plan.localBoot() ? "boots the local disk" : "boots this kernel";
            configs.put("pxelinux", BootUrls.pxelinuxConfig("", mac) + " in any directory: rendered, " + how);
            configs.put("grub", BootUrls.grubConfig("", mac) + " in any prefix: rendered, " + how);
        } else {
            String own = " (no kernel of its own: it boots its loader's menu)";
            configs.put("pxelinux", BootUrls.pxelinuxConfig("", mac) + ": the tftproot's file if there is one,"
                    + " else pxelinux goes on to pxelinux.cfg/default" + own);
            configs.put("grub", BootUrls.grubConfig("", mac) + ": the tftproot's file if there is one, else GRUB"
                    + " goes on to grub.cfg in its prefix" + own);
        }
        return configs;
    }
}
