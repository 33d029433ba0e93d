package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.bootferry.boot.BootPlan;
import org.bootferry.boot.BootPlanException;
import org.bootferry.boot.Booter;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.BootFamilies;
import org.bootferry.machine.MacAddress;
import org.xbill.DNS.Compression;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Server mode's decision, pure but for the lease book it owns: a request in, what to store, send and
 * probe out (RFC 2131 §4.3). The listener ({@link DhcpServer}) stores the leases a decision names and
 * only then sends its reply, so an ACK never leaves for a lease a crash could lose.
 *
 * <p>A known machine that is a boot client gets its {@link BootAnswer} in the same OFFER and ACK,
 * exactly what ProxyDHCP would tell it, so a stock loader finds its server whichever mode runs.
 * Machines without a file (and no {@code default.yaml}) get an address only from a pool with
 * {@code unknownMachines}, and never a boot answer.
 *
 * <p>Replies go, as RFC 2131 §4.1 says: to the relay agent at giaddr:67; to ciaddr:68 when the client
 * has an address; otherwise broadcast. The RFC prefers unicast to yiaddr for a client without an
 * address that did not ask for broadcast, but that needs an ARP entry for an address the client does
 * not answer ARP for yet, which only a raw socket or CAP_NET_ADMIN could add; the RFC allows the
 * broadcast, and every client listens for it.
 */
public final class ServerDhcp {

    /** How long a declined address, or one a probe found in use, is kept from everyone (Kea: decline-probation-period). */
    static final Duration QUARANTINE = Duration.ofHours(1);
    private static final Inet4Address BROADCAST = DhcpMessage.ipv4(new byte[] {-1, -1, -1, -1});
    /** RFC 2131 §2, Figure 2: the broadcast bit of flags. */
    private static final int BROADCAST_FLAG = 0x8000;

    /**
     * Where a request came in.
     *
     * @param pool  the pool of the interface its broadcast arrived on; empty for unicast (renewals,
     *              relays), whose pool follows from giaddr or ciaddr
     * @param local our address it came to, or the interface's: the server identifier (option 54)
     */
    public record Arrival(Optional<AddressPool> pool, Inet4Address local) {
    }

    /** What to do with one request. */
    public sealed interface Decision permits Reply, Store, Silent {
    }

    /**
     * Store {@code leases}, then send {@code message} to {@code recipient}.
     *
     * @param probe   an address to check is unused before the offer leaves (a fresh one on a link)
     * @param booting the boot client and its plan, when the reply carries a boot answer
     * @param why     for a NAK, why, for the log; empty otherwise
     */
    public record Reply(DhcpMessage message, InetSocketAddress recipient, List<Lease> leases,
            Optional<Inet4Address> probe, Optional<Booting> booting, String why) implements Decision {
    }

    /** A reply's boot answer: who asked, and the plan it was given. */
    public record Booting(PxeRequest request, BootPlan plan) {
    }

    /** Store {@code leases}, send nothing (RELEASE, DECLINE). */
    public record Store(List<Lease> leases, String what) implements Decision {
    }

    /** Send nothing; {@code reason} is for a debug line. */
    public record Silent(String reason) implements Decision {
    }

    private final List<AddressPool> pools;
    private final Hosts hosts;
    private final Booter planner;
    private final BootFamilies families;
    private final LeaseBook book;
    private final int clientPort;
    private final int relayPort;
    /** Boot-plan failures of the latest decision, for the listener's warning. */
    private final List<String> problems = new ArrayList<>();

    /** @param families told of each firmware answered here, asked before iPXE is given a script URL */
    public ServerDhcp(List<AddressPool> pools, Hosts hosts, Booter planner, BootFamilies families,
                      Collection<Lease> leases, int clientPort, int relayPort) {
        this.pools = List.copyOf(pools);
        this.hosts = hosts;
        this.planner = planner;
        this.families = families;
        this.book = new LeaseBook(leases);
        this.clientPort = clientPort;
        this.relayPort = relayPort;
    }

    /** Every lease record, for status and the API. */
    public synchronized List<Lease> leases() {
        return List.copyOf(book.all());
    }

    /** {@link AddressReport#addresses} at {@code now}. */
    public synchronized List<Addressing.Address> addresses(long now) {
        return AddressReport.addresses(pools, hosts, book.all(), now);
    }

    /** {@link AddressReport#choices} at {@code now}. */
    public synchronized List<Addressing.Choice> choices(MacAddress mac, long now) {
        return AddressReport.choices(mac, pools, hosts, book, now);
    }

    /**
     * Both, at the time they are asked, with the other servers heard.
     *
     * @param others the other DHCP servers heard on our links ({@link OtherServers#heard}), or none
     */
    public Addressing addressing(Supplier<List<Addressing.OtherServer>> others) {
        return new Addressing() {
            @Override
            public List<Address> addresses() {
                return ServerDhcp.this.addresses(System.currentTimeMillis());
            }

            @Override
            public List<Choice> choices(MacAddress mac) {
                return ServerDhcp.this.choices(mac, System.currentTimeMillis());
            }

            @Override
            public List<OtherServer> otherServers() {
                return others.get();
            }
        };
    }

    /** A probe found the offered address in use: quarantine it (to be stored), and decide again. */
    public synchronized Lease conflict(Inet4Address address, long now) {
        return book.quarantine(address, now + QUARANTINE.toMillis());
    }

    public synchronized Decision decide(DhcpMessage m, Arrival arrival, long now) {
        if (m.op() != DhcpMessage.BOOTREQUEST) {
            return new Silent("a BOOTREPLY");
        }
        Optional<DhcpMessageType> type = m.messageType();
        if (type.isEmpty()) {
            return new Silent("no valid option 53: BOOTP is not served");
        }
        Optional<AddressPool> found = poolFor(m, arrival);
        if (found.isEmpty()) {
            return new Silent(type.get() + " from " + m.mac() + ": no pool serves it (giaddr "
                    + m.giaddr().getHostAddress() + ", ciaddr " + m.ciaddr().getHostAddress() + ")");
        }
        AddressPool pool = found.get();
        MacAddress mac = m.mac();
        Optional<Hosts.Host> host = hosts.host(mac);
        if (host.isEmpty() && !pool.unknownMachines()) {
            return new Silent("unknown MAC " + mac + " (no machine file, no default.yaml) and the pool on "
                    + pool.name() + " has unknownMachines: false");
        }
        Optional<Inet4Address> reserved = host.flatMap(Hosts.Host::reserved);
        // Our own address is never handed out, whatever the range says.
        Predicate<Inet4Address> reservedForOther = a -> a.equals(arrival.local())
                || hosts.reservedFor(a).filter(o -> !o.equals(mac)).isPresent();
        Optional<Inet4Address> requested = address(m, DhcpOptionCode.REQUESTED_ADDRESS);
        return switch (type.get()) {
            case DISCOVER -> book.offer(mac, pool, reserved, requested, reservedForOther, now)
                    .<Decision>map(choice -> reply(m, DhcpMessageType.OFFER, choice.address(), pool, arrival, host,
                            List.of(), choice.fresh() && pool.iface().isPresent() ? Optional.of(choice.address())
                                    : Optional.empty()))
                    .orElseGet(() -> new Silent("the pool on " + pool.name() + " has no free address for " + mac));
            case REQUEST -> request(m, pool, arrival, host, reserved, requested, reservedForOther, now);
            case DECLINE -> requested.filter(a -> book.lease(a).filter(l -> l.heldBy(mac, now)).isPresent()
                            || book.leaseOf(mac).isEmpty())
                    .<Decision>map(a -> new Store(List.of(book.quarantine(a, now + QUARANTINE.toMillis())),
                            mac + " declined " + a.getHostAddress() + ": in use by another, quarantined"))
                    .orElseGet(() -> new Silent("a DECLINE from " + mac + " of an address it does not hold"));
            case RELEASE -> book.release(mac, m.ciaddr(), now)
                    .<Decision>map(l -> new Store(List.of(l), mac + " released " + l.address().getHostAddress()))
                    .orElseGet(() -> new Silent("a RELEASE from " + mac + " of an address it does not hold"));
            case INFORM -> reply(m, DhcpMessageType.ACK, DhcpMessage.ZERO, pool, arrival, host, List.of(), Optional.empty());
            default -> new Silent(type.get() + ": a server's message, not a client's");
        };
    }

    /** RFC 2131 §4.3.2: SELECTING (option 54 names a server), INIT-REBOOT (50, no 54), RENEWING/REBINDING (ciaddr). */
    private Decision request(DhcpMessage m, AddressPool pool, Arrival arrival, Optional<Hosts.Host> host,
                             Optional<Inet4Address> reserved, Optional<Inet4Address> requested,
                             Predicate<Inet4Address> reservedForOther, long now) {
        MacAddress mac = m.mac();
        Optional<Inet4Address> serverId = address(m, DhcpOptionCode.SERVER_IDENTIFIER);
        boolean selecting = serverId.isPresent();
        if (selecting && !serverId.get().equals(arrival.local())) {
            book.withdraw(mac);
            return new Silent(mac + " chose server " + serverId.get().getHostAddress());
        }
        Optional<Inet4Address> wanted = requested.isPresent() ? requested
                : Optional.of(m.ciaddr()).filter(a -> !a.equals(DhcpMessage.ZERO));
        if (wanted.isEmpty()) {
            return selecting ? nak(m, arrival, "a SELECTING REQUEST without option 50")
                    : new Silent("a REQUEST from " + mac + " naming no address");
        }
        Inet4Address address = wanted.get();
        return switch (book.request(mac, address, pool, reserved, reservedForOther, now)) {
            case BIND -> reply(m, DhcpMessageType.ACK, address, pool, arrival, host,
                    book.bind(mac, address, now + pool.leaseTime().toMillis()), Optional.empty());
            case WRONG -> nak(m, arrival, address.getHostAddress() + " is not " + mac + "'s to have on " + pool.name());
            case NO_RECORD -> selecting ? nak(m, arrival, "no offer of " + address.getHostAddress() + " to " + mac)
                    : new Silent("no record of " + address.getHostAddress() + " for " + mac + " (RFC 2131 §4.3.2: silent)");
        };
    }

    /**
     * The pool a request belongs to (RFC 2131 §4.3.1): the relay agent's subnet (giaddr), else the
     * interface its broadcast came in on, else (a unicast renewal) the pool whose network holds ciaddr.
     */
    private Optional<AddressPool> poolFor(DhcpMessage m, Arrival arrival) {
        if (!m.giaddr().equals(DhcpMessage.ZERO)) {
            return pools.stream().filter(p -> p.iface().isEmpty() && p.network().contains(m.giaddr())).findFirst();
        }
        if (arrival.pool().isPresent()) {
            return arrival.pool();
        }
        return pools.stream().filter(p -> p.network().contains(m.ciaddr())
                && !m.ciaddr().equals(DhcpMessage.ZERO)).findFirst();
    }

    private Decision reply(DhcpMessage m, DhcpMessageType type, Inet4Address yiaddr, AddressPool pool, Arrival arrival,
                           Optional<Hosts.Host> host, List<Lease> leases, Optional<Inet4Address> probe) {
        boolean leasing = !yiaddr.equals(DhcpMessage.ZERO);
        List<DhcpOption> options = new ArrayList<>();
        options.add(new DhcpOption(DhcpOptionCode.MESSAGE_TYPE, new byte[] {(byte) type.code()}));
        options.add(new DhcpOption(DhcpOptionCode.SERVER_IDENTIFIER, arrival.local().getAddress()));
        if (leasing) {
            // RFC 2131 §4.4.5: T1 half the lease, T2 seven eighths.
            long seconds = pool.leaseTime().getSeconds();
            options.add(new DhcpOption(DhcpOptionCode.LEASE_TIME, seconds(seconds)));
            options.add(new DhcpOption(DhcpOptionCode.RENEWAL_TIME, seconds(seconds / 2)));
            options.add(new DhcpOption(DhcpOptionCode.REBINDING_TIME, seconds(seconds * 7 / 8)));
        }
        options.add(new DhcpOption(DhcpOptionCode.SUBNET_MASK, pool.network().netmask().getAddress()));
        pool.router().ifPresent(r -> options.add(new DhcpOption(DhcpOptionCode.ROUTER, r.getAddress())));
        if (!pool.dns().isEmpty()) {
            options.add(new DhcpOption(DhcpOptionCode.DOMAIN_NAME_SERVER, addresses(pool.dns())));
        }
        pool.domain().ifPresent(d -> options.add(DhcpOption.ofString(DhcpOptionCode.DOMAIN_NAME, d)));
        if (!pool.search().isEmpty()) {
            options.add(new DhcpOption(DhcpOptionCode.DOMAIN_SEARCH, searchList(pool.search())));
        }
        pool.mtu().ifPresent(mtu -> options.add(new DhcpOption(DhcpOptionCode.INTERFACE_MTU,
                new byte[] {(byte) (mtu >> 8), (byte) mtu})));
        host.flatMap(Hosts.Host::hostname).ifPresent(h -> options.add(DhcpOption.ofString(DhcpOptionCode.HOST_NAME, h)));
        Inet4Address siaddr = DhcpMessage.ZERO;
        String file = "";
        Optional<Booting> booting = host.isPresent() && type != DhcpMessageType.NAK && leasing
                ? booting(m, arrival) : Optional.empty();
        if (booting.isPresent()) {
            Inet4Address nextServer = (Inet4Address) booting.get().plan().nextServer();
            // Option 43 as in an offer (use the boot file, no discovery) in the ACK too: the firmware
            // may read its boot parameters from either.
            BootAnswer answer = BootAnswer.of(booting.get().request(), booting.get().plan(), nextServer,
                    DhcpMessageType.OFFER);
            siaddr = answer.siaddr();
            file = answer.file();
            // Option 66 for loaders that take the TFTP server from it rather than siaddr (RFC 2132 §9.4).
            options.add(DhcpOption.ofString(DhcpOptionCode.TFTP_SERVER_NAME, nextServer.getHostAddress()));
            options.addAll(answer.options());
        }
        DhcpMessage reply = new DhcpMessage(DhcpMessage.BOOTREPLY, m.htype(), m.hlen(), 0, m.xid(), 0, m.flags(),
                // RFC 2131 Table 3: ciaddr is 0 in an OFFER, copied into an ACK.
                type == DhcpMessageType.ACK ? m.ciaddr() : DhcpMessage.ZERO,
                yiaddr, siaddr, m.giaddr(), m.chaddr(), "", file, options);
        return new Reply(reply, recipient(m), leases, probe, booting, "");
    }

    /** The plan of a boot client, if it is one and its config plans; a failure is noted and the lease goes without. */
    private Optional<Booting> booting(DhcpMessage m, Arrival arrival) {
        if (!(PxeRequest.detect(m) instanceof PxeRequest request)) {
            return Optional.empty();
        }
        // iPXE takes DHCPv4's file before DHCPv6's option 59 (BootFamilies): the iPXE of a machine whose
        // firmware came over IPv6 gets its address here and its script URL from DHCPv6, so its boot,
        // kernel command line and kickstart stay on IPv6.
        if (request.ipxe() && families.firmwareCameOverIpv6(request.mac())) {
            return Optional.empty();
        }
        try {
            Optional<Booting> booting = planner.plan(request.machine(Optional.of(arrival.local())))
                    .filter(plan -> plan.nextServer() instanceof Inet4Address a && !a.isAnyLocalAddress())
                    .map(plan -> new Booting(request, plan));
            if (booting.isPresent() && !request.ipxe()) {
                families.firmwareAnswered(request.mac(), false);
            }
            return booting;
        } catch (BootPlanException e) {
            synchronized (problems) {
                problems.add(request.mac() + " (" + request.firmware() + "): " + e.getMessage());
            }
            return Optional.empty();
        }
    }

    /** Boot plans that failed since the last call: the listener logs them (the lease went out without a boot answer). */
    public List<String> takeProblems() {
        synchronized (problems) {
            List<String> taken = List.copyOf(problems);
            problems.clear();
            return taken;
        }
    }

    private Decision nak(DhcpMessage m, Arrival arrival, String why) {
        List<DhcpOption> options = List.of(
                new DhcpOption(DhcpOptionCode.MESSAGE_TYPE, new byte[] {(byte) DhcpMessageType.NAK.code()}),
                new DhcpOption(DhcpOptionCode.SERVER_IDENTIFIER, arrival.local().getAddress()));
        boolean relayed = !m.giaddr().equals(DhcpMessage.ZERO);
        // RFC 2131 §4.1: a NAK through a relay asks it to broadcast; without one it is always broadcast.
        DhcpMessage reply = new DhcpMessage(DhcpMessage.BOOTREPLY, m.htype(), m.hlen(), 0, m.xid(), 0,
                relayed ? m.flags() | BROADCAST_FLAG : m.flags(), DhcpMessage.ZERO, DhcpMessage.ZERO, DhcpMessage.ZERO,
                m.giaddr(), m.chaddr(), "", "", options);
        InetSocketAddress to = relayed ? new InetSocketAddress(m.giaddr(), relayPort)
                : new InetSocketAddress(BROADCAST, clientPort);
        return new Reply(reply, to, List.of(), Optional.empty(), Optional.empty(), why);
    }

    /** RFC 2131 §4.1, as the class comment says. */
    private InetSocketAddress recipient(DhcpMessage m) {
        if (!m.giaddr().equals(DhcpMessage.ZERO)) {
            return new InetSocketAddress(m.giaddr(), relayPort);
        }
        if (!m.ciaddr().equals(DhcpMessage.ZERO)) {
            return new InetSocketAddress(m.ciaddr(), clientPort);
        }
        return new InetSocketAddress(BROADCAST, clientPort);
    }

    private static Optional<Inet4Address> address(DhcpMessage m, int code) {
        return m.option(code).filter(o -> o.length() == 4).map(o -> DhcpMessage.ipv4(o.value()));
    }

    private static byte[] seconds(long value) {
        return ByteBuffer.allocate(4).putInt((int) Math.min(value, 0xFFFF_FFFEL)).array();
    }

    private static byte[] addresses(List<Inet4Address> list) {
        ByteBuffer b = ByteBuffer.allocate(4 * list.size());
        list.forEach(a -> b.put(a.getAddress()));
        return b.array();
    }

    /**
     * Option 119 (RFC 3397 §2): the names in DNS wire form, later names pointing into earlier ones
     * (RFC 1035 §4.1.4 compression, offsets counted from the start of the option's data), encoded by
     * dnsjava. The codec splits a list over 255 bytes into several options (RFC 3396).
     */
    static byte[] searchList(List<String> names) {
        DNSOutput out = new DNSOutput();
        Compression compression = new Compression();
        for (String name : names) {
            try {
                Name.fromString(name, Name.root).toWire(out, compression);
            } catch (TextParseException e) {
                throw new IllegalArgumentException("not a domain name: " + name, e);
            }
        }
        return out.toByteArray();
    }
}
