package org.bootferry.boot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.MachineFile;
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
     * @param loaders what the loader files are, by name
     */
    static Explanation explain(BootPlanner planner, ResolvedConfig config, MachineFile file, MacAddress mac,
            Optional<String> installed, Function<String, Optional<LoaderImage>> loaders) {
        Map<String, String> dhcp = new LinkedHashMap<>();
        Map<String, Explanation.Chain> chains = new LinkedHashMap<>();
        for (Firmware firmware : Firmware.values()) {
            try {
                BootPlan plan = planner.plan(config, file, Machine.of(mac, firmware));
                dhcp.put(firmware.id(), plan.bootFile());
                if (!plan.localBoot()) {
                    chains.put(firmware.id(), BootChains.of(plan, Plans.loader(config.snapshot().settings(), firmware),
                            loaders));
                }
            } catch (BootPlanException e) {
                dhcp.put(firmware.id(), "not booted: " + e.error().message());
            }
        }
        BootPlan plan = planner.plan(config, file, new Machine(mac, Firmware.BIOS, true, Optional.empty()));
        dhcp.put("ipxe", plan.bootFile());
        MachineConfig c = config.resolve(file);
        List<Explanation.Source> initrds = new ArrayList<>();
        for (int i = 0; i < plan.initrds().size(); i++) {
            BootFile initrd = plan.initrds().get(i);
            initrds.add(new Explanation.Source(initrd.source(), plan.initrdUrl(i).toString(), initrd.knownDigest()));
        }
        Map<String, String> files = c.files() == null ? Map.of() : c.files().keySet().stream().sorted()
                .collect(Collectors.toMap(n -> n, n -> plan.filesUrl().resolve(n).toString(), (a, b) -> a,
                        LinkedHashMap::new));
        return new Explanation(mac.toString(), plan.hostname(), file.file().toString(),
                Optional.ofNullable(file.config().profile()), dhcp, chains, plan.nextServer().getHostAddress(),
                BootUrls.tftpNames(plan.machine(), plan.initrds().size()),
                new Explanation.Source(plan.kernel().source(), plan.kernelUrl().toString(), plan.kernel().knownDigest()),
                initrds, plan.cmdline(), IpxeScript.render(plan), plan.kickstartUrl().toString(),
                Optional.ofNullable(c.kickstart()).map(t -> InstallFiles.render(config, c, plan, t)),
                files, Boolean.TRUE.equals(c.bootOnce()), installed, plan.localBoot());
    }
}
