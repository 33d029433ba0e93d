package org.bootferry.cli;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
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
 * {@code bootferry leases}: DHCP server mode's leases and reservations, then DHCPv6 server mode's
 * bindings and reservations, with each machine's name, as the lease journals under the state
 * directory have them (a running server keeps writing them).
 */
@Command(name = "leases", description = "List DHCP and DHCPv6 server mode's leases and reservations, with each"
        + " machine's hostname.")
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
        if (mode != ServerSettings.Dhcp.Mode.SERVER
                && snapshot.settings().dhcp6().mode() != ServerSettings.Dhcp6.Mode.SERVER) {
            System.err.println("bootferry: no leases here: server.yaml has dhcp mode " + mode.name().toLowerCase(Locale.ROOT)
                    + ", so " + (mode == ServerSettings.Dhcp.Mode.OFF ? "nobody here" : "the site's DHCP server")
                    + " gives the addresses (dhcp: {mode: server} makes bootferry the network's DHCP server), and"
                    + " dhcp6 is not in server mode either");
            return ExitCodes.FAILED;
        }
        Addressing addressing;
        try {
            addressing = DhcpServerMode.fromDisk(snapshot);
        } catch (IOException e) {
            System.err.println("bootferry: " + e.getMessage());
            return ExitCodes.FAILED;
        }
        List<Addressing.Address> addresses = addressing.addresses();
        List<Addressing.Binding6> bindings = addressing.bindings6();
        if (json) {
            List<Object> all = new ArrayList<>(addresses.stream().map(Addressing.Address::fields).toList());
            all.addAll(bindings.stream().map(Addressing.Binding6::fields).toList());
            System.out.println(ExplainCommand.JSON.writeValueAsString(all));
            return 0;
        }
        if (mode == ServerSettings.Dhcp.Mode.SERVER) {
            String row = "%-15s  %-17s  %-20s  %-20s  %-24s  %s%n";
            System.out.printf(row, "ADDRESS", "MAC", "HOSTNAME", "STATE", "UNTIL", "POOL");
            for (Addressing.Address a : addresses) {
                System.out.printf(row, a.address().getHostAddress(), a.mac().map(Object::toString).orElse("-"),
                        a.hostname().orElse("-"), state(a.state(), a.reserved()), until(a.state(), a.expires()),
                        a.pool());
            }
        }
        if (snapshot.settings().dhcp6().mode() == ServerSettings.Dhcp6.Mode.SERVER) {
            if (mode == ServerSettings.Dhcp.Mode.SERVER) {
                System.out.println();
            }
            String row = "%-39s  %-17s  %-20s  %-20s  %-24s  %-24s  %s%n";
            System.out.printf(row, "ADDRESS6", "MAC", "HOSTNAME", "STATE", "UNTIL", "POOL", "DUID/IAID");
            for (Addressing.Binding6 b : bindings) {
                System.out.printf(row, b.address(), b.mac().map(Object::toString).orElse("-"), b.hostname().orElse("-"),
                        state(b.state(), b.reserved()), until(b.state(), b.expires()), b.pool(),
                        b.duid().map(d -> d + (b.iaid().isPresent() ? "/" + b.iaid().getAsLong() : "")).orElse("-"));
            }
        }
        return 0;
    }

    /** A row's state, with ", reserved" when a machine file reserves the address it holds. */
    private static String state(Addressing.State state, boolean reserved) {
        return state.id() + (reserved && state != Addressing.State.RESERVED ? ", reserved" : "");
    }

    /** Until when a record holds; "-" for a reservation no record names yet. */
    private static String until(Addressing.State state, long expires) {
        return state == Addressing.State.RESERVED ? "-" : Instant.ofEpochMilli(expires).toString();
    }
}
