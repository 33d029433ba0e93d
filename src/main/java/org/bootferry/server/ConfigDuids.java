package org.bootferry.server;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.DuidChecks;
import org.bootferry.config.MachineFile;
import org.bootferry.dhcp6.BootOnly6;
import org.bootferry.dhcp6.Duid;
import org.bootferry.machine.MacAddress;

/**
 * The machine files' {@code duid:} in the config in force, indexed once per snapshot: which machine
 * a DHCPv6 client is when its messages show no MAC.
 */
final class ConfigDuids implements BootOnly6.DuidBook {

    private final PerSnapshot<Map<String, MacAddress>> macs;

    ConfigDuids(Supplier<ConfigSnapshot> config) {
        this.macs = new PerSnapshot<>(config, ConfigDuids::index);
    }

    @Override
    public Optional<MacAddress> macOf(Duid duid) {
        return Optional.ofNullable(macs.get().get(BootOnly6.hex(duid)));
    }

    private static Map<String, MacAddress> index(ConfigSnapshot snapshot) {
        Map<String, MacAddress> macs = new HashMap<>();
        Set<String> twice = new HashSet<>();
        for (MachineFile f : snapshot.machines().values()) {
            Optional<String> hex = Optional.ofNullable(f.config().duid()).flatMap(DuidChecks::normalized);
            if (hex.isPresent() && f.mac().isPresent() && macs.putIfAbsent(hex.get(), f.mac().get()) != null) {
                twice.add(hex.get());
            }
        }
        // A DUID two files name is an error on both (DuidChecks): neither is taken.
        macs.keySet().removeAll(twice);
        return Map.copyOf(macs);
    }
}
