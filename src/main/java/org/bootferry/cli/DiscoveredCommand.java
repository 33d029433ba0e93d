package org.bootferry.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.bootferry.config.Adoption;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.journal.DiscoveredMachines;
import org.bootferry.machine.Discovered;
import org.bootferry.machine.Sighting;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code bootferry discovered}: the network-boot clients the server saw that no machine file names,
 * as saved in the state directory (at most a second behind a running server).
 */
@Command(name = "discovered", description = "List the network-boot clients seen with no machine file, newest first,"
        + " and how to adopt them.")
final class DiscoveredCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Mixin
    StateOption stateOption;

    @Override
    public Integer call() {
        ConfigSnapshot snapshot = config.load(stateOption.overrides()).snapshot();
        Path dir = snapshot.settings().state();
        DiscoveredMachines.Saved saved;
        try {
            saved = DiscoveredMachines.read(dir);
        } catch (IOException e) {
            System.err.println("bootferry: " + e.getMessage());
            return ExitCodes.FAILED;
        }
        List<Discovered> unconfigured = saved.machines().stream().filter(d -> !snapshot.configured(d.mac())).toList();
        if (unconfigured.isEmpty()) {
            System.out.println("no network-boot client without a machine file has been seen (state " + dir + ")");
        } else {
            System.out.printf("%-17s  %-14s  %8s  %-24s  %-24s  %s%n", "MAC", "FIRMWARE", "REQUESTS", "LAST SEEN",
                    "FIRST SEEN", "VIA");
            for (Discovered d : unconfigured) {
                Sighting s = d.latest();
                System.out.printf("%-17s  %-14s  %8d  %-24s  %-24s  %s%n", s.mac(),
                        s.firmware().id() + (s.ipxe() ? "+ipxe" : ""), d.requests(), s.time(), d.firstSeen(), s.via());
            }
            System.out.println("adopt one: bootferry adopt MAC --profile "
                    + Adoption.suggestedProfile(snapshot).orElse("PROFILE") + " [--hostname NAME]");
        }
        if (saved.dropped() > 0) {
            System.out.println(saved.dropped() + " more were dropped to keep the list bounded, the longest unseen first");
        }
        return 0;
    }
}
