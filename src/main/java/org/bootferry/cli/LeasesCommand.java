package org.bootferry.cli;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.ServerSettings;
import org.bootferry.machine.Addressing;
import org.bootferry.server.DhcpServerMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bootferry leases}: DHCP server mode's leases and reservations, with each machine's name, as
 * the lease journal under the state directory has them (a running server keeps writing it).
 */
@Command(name = "leases", description = "List DHCP server mode's leases and reservations, with each machine's hostname.")
final class LeasesCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Mixin
    StateOption state;

    @Option(names = "--json", description = "Print them as JSON (as GET /api/leases does).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ConfigOption.Loaded loaded = config.load(state.overrides());
        loaded.errors().forEach(e -> System.err.println("warning: " + e));
        ConfigSnapshot snapshot = loaded.snapshot();
        ServerSettings.Dhcp.Mode mode = snapshot.settings().dhcp().mode();
        if (mode != ServerSettings.Dhcp.Mode.SERVER) {
            System.err.println("bootferry: no leases here: server.yaml has dhcp mode " + mode.name().toLowerCase(Locale.ROOT)
                    + ", so " + (mode == ServerSettings.Dhcp.Mode.OFF ? "nobody here" : "the site's DHCP server")
                    + " gives the addresses (dhcp: {mode: server} makes bootferry the network's DHCP server)");
            return ExitCodes.FAILED;
        }
        List<Addressing.Address> addresses;
        try {
            addresses = DhcpServerMode.fromDisk(snapshot).addresses();
        } catch (IOException e) {
            System.err.println("bootferry: " + e.getMessage());
            return ExitCodes.FAILED;
        }
        if (json) {
            System.out.println(ExplainCommand.JSON.writeValueAsString(addresses.stream().map(Addressing.Address::fields).toList()));
            return 0;
        }
        String row = "%-15s  %-17s  %-20s  %-20s  %-24s  %s%n";
        System.out.printf(row, "ADDRESS", "MAC", "HOSTNAME", "STATE", "UNTIL", "POOL");
        for (Addressing.Address a : addresses) {
            System.out.printf(row, a.address().getHostAddress(), a.mac().map(Object::toString).orElse("-"),
                    a.hostname().orElse("-"), a.state().id() + (a.reserved() && a.state() != Addressing.State.RESERVED
                            ? ", reserved" : ""),
                    a.state() == Addressing.State.RESERVED ? "-" : Instant.ofEpochMilli(a.expires()).toString(), a.pool());
        }
        return 0;
    }
}
