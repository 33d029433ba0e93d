package org.bootferry.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.bootferry.lang.AddressText;
import org.bootferry.lang.Ipv4;
import org.bootferry.lang.Ipv6;

/**
 * The {@code ip:} reservations of the machine files against server.yaml's pools: a reservation is an
 * address of one pool's network, not the network's own address, broadcast or router, and no two machines
 * share one. The same for {@code ip6:} against {@code dhcp6.pools}: an address of a pool's prefix, not
 * its subnet-router anycast address (RFC 4291 §2.6.1), named by one file only (an error on each). Only server mode hands out addresses, so a reservation in another mode is an error rather
 * than a line that silently does nothing; so is one in {@code default.yaml} or a profile, which many
 * machines share.
 */
public final class Reservations {

    /** The network of an interface pool without a netmask: the interface's own, when it is on this host. */
    private final Function<String, Optional<Ipv4.Network>> interfaceNetwork;

    Reservations(Function<String, Optional<Ipv4.Network>> interfaceNetwork) {
        this.interfaceNetwork = interfaceNetwork;
    }

    /** Checks the snapshot's reservations against the networks of this host's interfaces. */
    public static List<ConfigError> check(ConfigSnapshot snapshot) {
        return new Reservations(Reservations::networkOf).errors(snapshot);
    }

    List<ConfigError> errors(ConfigSnapshot snapshot) {
        List<ConfigError> errors = new ArrayList<>();
        snapshot.defaultMachine().filter(f -> f.config().ip() != null).ifPresent(f -> errors.add(at(f.file(),
                "ip: default.yaml answers every unknown machine, which can't share one address; reserve it in"
                        + " the machine's own file")));
        snapshot.profiles().values().stream().filter(p -> p.config().ip() != null).forEach(p -> errors.add(at(p.file(),
                "ip: a profile is shared by many machines, which can't share one address; reserve it in each"
                        + " machine's own file")));
        errors.addAll(errors6(snapshot));
        ServerSettings.Dhcp dhcp = snapshot.settings().dhcp();
        Map<Inet4Address, MachineFile> taken = new HashMap<>();
        List<MachineFile> files = new ArrayList<>(snapshot.machines().values());
        files.sort(Comparator.comparing(MachineFile::file));
        for (MachineFile f : files) {
            Optional<Inet4Address> ip = Optional.ofNullable(f.config().ip()).flatMap(Ipv4::parse);
            if (ip.isEmpty()) {
                continue;
            }
            if (dhcp.mode() != ServerSettings.Dhcp.Mode.SERVER) {
                errors.add(at(f.file(), "ip: only DHCP server mode hands out addresses; server.yaml has dhcp mode "
                        + dhcp.mode().name().toLowerCase(java.util.Locale.ROOT)));
                continue;
            }
            problem(ip.get(), dhcp.pools()).ifPresent(message -> errors.add(at(f.file(), message)));
            MachineFile other = taken.putIfAbsent(ip.get(), f);
            if (other != null) {
                errors.add(at(f.file(), "ip: " + ip.get().getHostAddress() + " is reserved for "
                        + other.mac().map(Object::toString).orElse("?") + " already (" + other.file().getFileName() + ")"));
            }
        }
        return errors;
    }

    private static List<ConfigError> errors6(ConfigSnapshot snapshot) {
        List<ConfigError> errors = new ArrayList<>();
        snapshot.defaultMachine().filter(f -> f.config().ip6() != null).ifPresent(f -> errors.add(at6(f.file(),
                "ip6: default.yaml answers every unknown machine, which can't share one address; reserve it in"
                        + " the machine's own file")));
        snapshot.profiles().values().stream().filter(p -> p.config().ip6() != null).forEach(p -> errors.add(at6(
                p.file(), "ip6: a profile is shared by many machines, which can't share one address; reserve it in"
                        + " each machine's own file")));
        ServerSettings.Dhcp6 dhcp6 = snapshot.settings().dhcp6();
        Map<java.math.BigInteger, List<MachineFile>> byAddress = new java.util.TreeMap<>();
        List<MachineFile> files = new ArrayList<>(snapshot.machines().values());
        files.sort(Comparator.comparing(MachineFile::file));
        for (MachineFile f : files) {
            Optional<Inet6Address> ip6 = Optional.ofNullable(f.config().ip6()).flatMap(Ipv6::parse);
            if (ip6.isEmpty()) {
                continue;
            }
            String address = AddressText.of(ip6.get());
            if (dhcp6.mode() != ServerSettings.Dhcp6.Mode.SERVER) {
                errors.add(at6(f.file(), "ip6: only DHCPv6 server mode hands out addresses; server.yaml has dhcp6"
                        + " mode " + dhcp6.mode().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
                continue;
            }
            Optional<ServerSettings.Pool6> pool = dhcp6.pools().stream().filter(p -> p.prefix().contains(ip6.get()))
                    .findFirst();
            if (pool.isEmpty()) {
                errors.add(at6(f.file(), "ip6: " + address + " is in no DHCPv6 pool's prefix (" + dhcp6.pools().stream()
                        .map(p -> p.prefix().toString()).toList() + ")"));
            } else if (Ipv6.toNumber(ip6.get()).equals(Ipv6.toNumber(pool.get().prefix().base()))) {
                errors.add(at6(f.file(), "ip6: " + address + " is the subnet-router anycast address of "
                        + pool.get().prefix() + " (RFC 4291 §2.6.1), not a host's"));
            }
            byAddress.computeIfAbsent(Ipv6.toNumber(ip6.get()), a -> new ArrayList<>()).add(f);
        }
        for (List<MachineFile> same : byAddress.values()) {
            if (same.size() > 1) {
                for (MachineFile f : same) {
                    errors.add(at6(f.file(), "ip6: " + f.config().ip6() + " is reserved in " + same.stream()
                            .filter(o -> o != f).map(o -> o.file().getFileName().toString()).toList()
                            + " too: one address, one machine"));
                }
            }
        }
        return errors;
    }

    private static ConfigError at6(Path file, String message) {
        return new ConfigError(file, YamlFiles.lineOf(file, "ip6"), message);
    }

    private Optional<String> problem(Inet4Address ip, List<ServerSettings.Pool> pools) {
        String address = ip.getHostAddress();
        List<String> unknown = new ArrayList<>();
        for (ServerSettings.Pool pool : pools) {
            Optional<Ipv4.Network> network = pool.network().or(() -> pool.iface().flatMap(interfaceNetwork));
            if (network.isEmpty()) {
                unknown.add(pool.name());
                continue;
            }
            Ipv4.Network n = network.get();
            if (!n.contains(ip)) {
                continue;
            }
            if (Ipv4.toInt(ip) == n.base() || ip.equals(n.broadcast())) {
                return Optional.of("ip: " + address + " is the " + (Ipv4.toInt(ip) == n.base() ? "network" : "broadcast")
                        + " address of " + n + ", not a host's");
            }
            if (pool.router().filter(ip::equals).isPresent()) {
                return Optional.of("ip: " + address + " is the router of the pool on " + pool.name());
            }
            return Optional.empty();
        }
        if (!unknown.isEmpty()) {
            return Optional.of("ip: " + address + " is in no pool's network that can be told here: the pool on "
                    + String.join(", ", unknown) + " has no netmask and its interface is not on this host (add"
                    + " 'netmask:' to the pool)");
        }
        return Optional.of("ip: " + address + " is in no DHCP pool's network (" + pools.stream()
                .map(p -> p.network().or(() -> p.iface().flatMap(interfaceNetwork)).map(Object::toString).orElse("?"))
                .toList() + ")");
    }

    private static ConfigError at(Path file, String message) {
        return new ConfigError(file, YamlFiles.lineOf(file, "ip"), message);
    }

    /** The first IPv4 network of the named interface of this host; empty when it has none or is not here. */
    public static Optional<Ipv4.Network> networkOf(String name) {
        try {
            NetworkInterface nif = NetworkInterface.getByName(name);
            if (nif == null) {
                return Optional.empty();
            }
            for (InterfaceAddress a : nif.getInterfaceAddresses()) {
                if (a.getAddress() instanceof Inet4Address v4) {
                    return Optional.of(Ipv4.Network.of(v4, a.getNetworkPrefixLength()));
                }
            }
            return Optional.empty();
        } catch (SocketException e) {
            return Optional.empty();
        }
    }
}
