package org.bootferry.cli;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bootferry.boot.BootFile;
import org.bootferry.boot.BootPlan;
import org.bootferry.boot.BootPlanner;
import org.bootferry.boot.Firmware;
import org.bootferry.boot.IpxeScript;
import org.bootferry.boot.Machine;
import org.bootferry.config.MacAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bootferry explain MAC}: what each stage would serve this machine, without serving it. */
@Command(name = "explain", description = "Show what each boot stage would serve a machine.")
final class ExplainCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "MAC", description = "The machine's MAC address, in any common spelling.")
    String mac;

    @Option(names = "--firmware", paramLabel = "KIND", defaultValue = "bios",
            description = "Firmware asking: bios, efi-x64, efi-arm64, http-x64, … (default: ${DEFAULT-VALUE}).")
    String firmware;

    @Override
    public Integer call() {
        MacAddress address = MacAddress.parse(mac);
        Firmware fw = Firmware.byId(firmware).orElseThrow(() ->
                new IllegalArgumentException("unknown firmware '" + firmware + "' (known: " + Firmware.ids() + ")"));
        ConfigOption.Loaded loaded = config.load(Map.of());
        loaded.errors().forEach(e -> System.err.println("warning: " + e));
        BootPlanner planner = new BootPlanner(loaded::snapshot);
        Optional<BootPlan> firmwarePlan = planner.plan(new Machine(address, fw, false, Optional.empty()));
        if (firmwarePlan.isEmpty()) {
            System.out.println(address + ": not answered (no machines/" + address.dashed()
                    + ".yaml and no machines/default.yaml)");
            return 1;
        }
        BootPlan plan = planner.plan(new Machine(address, fw, true, Optional.empty())).orElseThrow();
        System.out.println("machine   " + address + " (" + plan.hostname() + "), firmware " + fw);
        System.out.println("dhcp      boot file " + firmwarePlan.get().bootFile() + ", next-server "
                + plan.nextServer().getHostAddress());
        System.out.println("ipxe      boot file " + plan.bootFile());
        System.out.println("kernel    " + plan.kernelUrl() + " <- " + plan.kernel().source());
        for (int i = 0; i < plan.initrds().size(); i++) {
            BootFile initrd = plan.initrds().get(i);
            System.out.println("initrd    " + plan.initrdUrl(i) + " <- " + initrd.source());
        }
        System.out.println("cmdline   " + plan.cmdline());
        System.out.println("script    " + plan.scriptUrl());
        System.out.print(IpxeScript.render(plan).indent(10));
        planner.kickstart(plan.machine()).ifPresent(ks -> {
            System.out.println("kickstart " + plan.kickstartUrl());
            System.out.print(ks.indent(10));
        });
        return 0;
    }
}
