package org.bootferry.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.bootferry.boot.Booter;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.ServerSettings;
import org.bootferry.dhcp6.AddressPool6;
import org.bootferry.dhcp6.Bindings6;
import org.bootferry.dhcp6.BootOnly6;
import org.bootferry.dhcp6.Dhcp6Server;
import org.bootferry.dhcp6.Duid;
import org.bootferry.dhcp6.Lease6;
import org.bootferry.dhcp6.Opaque;
import org.bootferry.dhcp6.ServerDhcp6;
import org.bootferry.lang.AtomicFile;
import org.bootferry.journal.NeighbourTable;
import org.bootferry.lang.RecordJournal;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.BootFamilies;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.UnidentifiedClients;
import org.bootferry.lang.AddressText;

/**
 * DHCPv6 put together from server.yaml's {@code dhcp6:}: the boot links (each interface with the
 * address its clients are told), our DUID kept under the state directory, the machine files'
 * {@code duid:}, and the listener; in server mode also the pools, the machine files' {@code ip6:}
 * ({@link ConfigHosts6}) and the lease journal ({@code dhcp6/leases.journal}).
 */
final class Dhcp6Mode implements AutoCloseable {

    /** RFC 8415 §11: a server's DUID must not change; kept here, relative to the state directory. */
    static final String DUID_FILE = "dhcp6/server-duid";
    /** Server mode's bindings, a {@link RecordJournal} of {@link Lease6#FORMAT} lines, relative to the state directory. */
    static final String JOURNAL_DIR = "dhcp6";
    static final String JOURNAL = "leases.journal";

    private final Dhcp6Server server;
    /** Server mode's decision and journal; empty in boot-only mode. */
    private final Optional<ServerDhcp6> stateful;
    private final Optional<RecordJournal<Lease6>> journal;

    private Dhcp6Mode(Dhcp6Server server, Optional<ServerDhcp6> stateful, Optional<RecordJournal<Lease6>> journal) {
        this.server = server;
        this.stateful = stateful;
        this.journal = journal;
    }

    /** {@code v4} with server mode's DHCPv6 bindings beside its leases; none in boot-only mode. */
    Addressing addressing(Addressing v4) {
        return withBindings(v4, () -> stateful.map(s -> s.bindings(System.currentTimeMillis())).orElse(List.of()));
    }

    /**
     * {@code v4} with DHCPv6 server mode's bindings and reservations as its journal under the state
     * directory has them, read without opening it for writing (a running server may hold it): for
     * {@code bootferry leases}. None when dhcp6 is not in server mode.
     *
     * @throws IOException when the journal can't be read
     */
    static Addressing fromDisk(ConfigSnapshot snapshot, Addressing v4) throws IOException {
        ServerSettings.Dhcp6 d = snapshot.settings().dhcp6();
        if (d.mode() != ServerSettings.Dhcp6.Mode.SERVER) {
            return v4;
        }
        Path file = snapshot.settings().state().resolve(JOURNAL_DIR).resolve(JOURNAL);
        List<Lease6> leases;
        try {
            leases = RecordJournal.read(file, Lease6.FORMAT);
        } catch (IOException e) {
            throw new IOException("cannot read the DHCPv6 lease journal " + file + ": " + e.getMessage(), e);
        }
        List<AddressPool6> pools = d.pools().stream().map(Dhcp6Mode::pool).toList();
        ConfigHosts6 hosts = new ConfigHosts6(() -> snapshot);
        return withBindings(v4, () -> Bindings6.of(leases, pools, hosts, System.currentTimeMillis()));
    }

    private static Addressing withBindings(Addressing v4, Supplier<List<Addressing.Binding6>> bindings) {
        return new Addressing() {
            @Override
            public List<Address> addresses() {
                return v4.addresses();
            }

            @Override
            public List<Choice> choices(MacAddress mac) {
                return v4.choices(mac);
            }

            @Override
            public List<OtherServer> otherServers() {
                return v4.otherServers();
            }

            @Override
            public List<Binding6> bindings6() {
                return bindings.get();
            }
        };
    }

    @Override
    public void close() {
        server.close();
        journal.ifPresent(RecordJournal::close);
    }

    /**
     * Binds the listener of {@code settings.dhcp6()} (not OFF) and reports its {@code listening} lines.
     *
     * @throws ListenerException saying which interface, file or port could not be had; nothing stays bound
     */
    static Dhcp6Mode start(ServerSettings settings, ConfigHolder config, Booter planner, BootLog events,
            BootFamilies families, Discoveries discoveries, UnidentifiedClients unidentified, MeterRegistry registry,
            EventLoopGroup group,
            Class<? extends DatagramChannel> channelType, Consumer<String> ready) {
        ServerSettings.Dhcp6 d = settings.dhcp6();
        Optional<Inet6Address> advertise6 = settings.advertise6().map(BootServer::literal)
                .filter(Inet6Address.class::isInstance).map(Inet6Address.class::cast);
        Dhcp6Server server;
        Optional<ServerDhcp6> stateful = Optional.empty();
        Optional<RecordJournal<Lease6>> journal = Optional.empty();
        List<Dhcp6Server.Link> links = new ArrayList<>();
        try {
            for (String name : d.interfaces()) {
                NetworkInterface nif = NetworkInterface.getByName(name);
                if (nif == null) {
                    throw new IOException("dhcp6.interfaces: " + name + " is not an interface of this host");
                }
                // As for DHCPv4: advertise6 where it is this link's, else the link's own address.
                links.add(new Dhcp6Server.Link(nif, advertise6.filter(a -> owns(nif, a)).or(() -> serverAddress(nif))
                        .orElseThrow(() -> new IOException("dhcp6.interfaces: " + name + " has no global or"
                                + " unique-local IPv6 address to put in boot file URLs; give it one"))));
            }
            Duid serverId = serverId(settings.state().resolve(DUID_FILE));
            Dhcp6Server.Decider decider;
            if (d.mode() == ServerSettings.Dhcp6.Mode.SERVER) {
                journal = Optional.of(new RecordJournal<>(settings.state().resolve(JOURNAL_DIR), JOURNAL, Lease6.FORMAT));
                stateful = Optional.of(new ServerDhcp6(d.pools().stream().map(Dhcp6Mode::pool).toList(),
                        new ConfigHosts6(config), planner, new ConfigDuids(config), serverId, discoveries,
                        journal.get().records()));
                decider = Dhcp6Server.stateful(stateful.get(), journal.get(), System::currentTimeMillis);
            } else {
                decider = Dhcp6Server.bootOnly(new BootOnly6(planner, new ConfigDuids(config), serverId),
                        NeighbourTable::lookup);
            }
            server = new Dhcp6Server(decider, events, families, registry, RouterAdverts.onThisHost()::bootClientSeen,
                    unidentified);
        } catch (IOException e) {
            journal.ifPresent(RecordJournal::close);
            throw new ListenerException("cannot start DHCPv6: " + e.getMessage(), e);
        }
        List<Inet6Address> unicastOnly = links.isEmpty() ? List.of(advertise6.orElseThrow(() -> new ListenerException(
                "DHCPv6 without dhcp6.interfaces answers relay agents at advertise6, and this host has no global or"
                        + " unique-local IPv6 address to advertise: set advertise6 or dhcp6.interfaces", null)))
                : List.of();
        Inet6Address shown = links.isEmpty() ? unicastOnly.get(0) : links.get(0).server();
        Dhcp6Server.Bound bound;
        try {
            bound = server.bind(group, channelType, links, unicastOnly, d.port(), d.pxePort());
        } catch (Exception e) {
            journal.ifPresent(RecordJournal::close);
            throw new ListenerException(BootServer.explainBindFailure("dhcp6", "udp",
                    new InetSocketAddress(shown, d.port()), "dhcp6.port/dhcp6.pxePort in server.yaml", e), e);
        }
        ready.accept("listening dhcp6 udp [" + AddressText.of(shown) + "]:" + bound.port());
        ready.accept("listening pxe6 udp [" + AddressText.of(shown) + "]:" + bound.pxePort());
        return new Dhcp6Mode(server, stateful, journal);
    }

    private static AddressPool6 pool(ServerSettings.Pool6 p) {
        return new AddressPool6(p.iface(), p.prefix(), p.first(), p.last(), p.preferredLifetime().toSeconds(),
                p.validLifetime().toSeconds(), p.dns(), p.search(), p.unknownMachines());
    }

    private static boolean owns(NetworkInterface nif, Inet6Address address) {
        return nif.inetAddresses().anyMatch(a -> a instanceof Inet6Address && Arrays.equals(a.getAddress(), address.getAddress()));
    }

    /** The interface's first global or unique-local address: what its clients can reach by a route. */
    static Optional<Inet6Address> serverAddress(NetworkInterface nif) {
        return nif.inetAddresses().filter(a -> a instanceof Inet6Address).map(a -> (Inet6Address) a)
                .filter(a -> !a.isLinkLocalAddress() && !a.isLoopbackAddress() && !a.isMulticastAddress())
                .findFirst()
                .map(Dhcp6Mode::withoutZone);
    }

    private static Inet6Address withoutZone(Inet6Address a) {
        try {
            return (Inet6Address) InetAddress.getByAddress(a.getAddress());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    /**
     * Our DUID: a DUID-UUID (RFC 6355) made at the first start and kept in {@code file} as hex, since
     * RFC 8415 §11 wants it stable across restarts and DUID-LL would change with the network card.
     */
    static Duid serverId(Path file) throws IOException {
        if (Files.exists(file)) {
            String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
            byte[] bytes;
            try {
                bytes = HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                bytes = new byte[0];
            }
            if (bytes.length != 18 || bytes[0] != 0 || bytes[1] != 4) {
                throw new IOException(file + " does not hold a DUID-UUID in hex (0004 and 16 bytes); remove it"
                        + " and a new one is made");
            }
            return new Duid.Uuid(new Opaque(java.util.Arrays.copyOfRange(bytes, 2, 18)));
        }
        UUID uuid = UUID.randomUUID();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits());
        Duid duid = new Duid.Uuid(new Opaque(b.array()));
        Files.createDirectories(file.getParent());
        AtomicFile.write(file, (BootOnly6.hex(duid) + "\n").getBytes(StandardCharsets.US_ASCII));
        return duid;
    }
}
