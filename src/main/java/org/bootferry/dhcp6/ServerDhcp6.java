package org.bootferry.dhcp6;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.bootferry.boot.BootPlan;
import org.bootferry.boot.BootPlanException;
import org.bootferry.boot.Booter;
import org.bootferry.lang.AddressText;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Sighting;

/**
 * DHCPv6 server mode's decision (RFC 8415 §18.3), pure but for the binding book it owns: a message
 * in, the records to store and the answer to send out. The caller stores the records and only then
 * sends the answer, so a REPLY never leaves for a binding a crash could lose.
 *
 * <p>A known machine's boot client gets its boot options in the same ADVERTISE and REPLY
 * ({@link Boot6Answer#bootOptions}: 59, and 16 "HTTPClient" for HTTP Boot), what reference/ipv6
 * measured to boot EDK2 PXE, EDK2 HTTP Boot and iPXE from one stateful server. Every other client
 * (EDK2's autoconfig client, an operating system) gets addresses only. Machines without a file (and
 * no {@code default.yaml}) get an address only from a pool with {@code unknownMachines}, as in DHCPv4
 * server mode. Only IA_NA is served: IA_TA and IA_PD are neither answered nor refused (§21.5, RFC 8415
 * §21.21 let a server leave them out).
 */
public final class ServerDhcp6 {

    /** How long a declined address is kept from everyone (§18.3.8; the DHCPv4 server's quarantine too). */
    static final long QUARANTINE_MILLIS = 3_600_000;

    /**
     * What to do with one message.
     *
     * @param leases records to store before {@code decision}'s answer leaves; empty for none
     */
    public record Outcome(BootOnly6.Decision decision, List<Lease6> leases) {
        public Outcome {
            leases = List.copyOf(leases);
        }

        static Outcome silent(String reason) {
            return new Outcome(new BootOnly6.Silent(reason), List.of());
        }
    }

    private final List<AddressPool6> pools;
    private final Hosts6 hosts;
    private final Booter planner;
    private final BootOnly6.DuidBook duids;
    private final Duid serverId;
    private final Discoveries discoveries;
    private final Lease6Book book;

    /**
     * @param discoveries told of each boot client's SOLICIT from a MAC no machine file names, as DHCPv4
     *                    server mode tells it of their DISCOVERs
     */
    public ServerDhcp6(List<AddressPool6> pools, Hosts6 hosts, Booter planner, BootOnly6.DuidBook duids, Duid serverId,
                       Discoveries discoveries, Collection<Lease6> leases) {
        this.pools = List.copyOf(pools);
        this.hosts = hosts;
        this.planner = planner;
        this.duids = duids;
        this.serverId = serverId;
        this.discoveries = discoveries;
        this.book = new Lease6Book(leases);
    }

    public Duid serverId() {
        return serverId;
    }

    /** Every binding record, for status and the API. */
    public synchronized List<Lease6> leases() {
        return List.copyOf(book.all());
    }

    /** {@link Bindings6#of} the book's records now. */
    public synchronized List<Addressing.Binding6> bindings(long now) {
        return Bindings6.of(book.all(), pools, hosts, now);
    }

    /**
     * @param received as decoded: a client message, or a RELAY-FORW around one
     * @param source   the datagram's IPv6 source address
     * @param server   the address of ours machines are told on the client's link
     * @param iface    the boot link's interface the datagram came in on; empty on a socket for relayed clients
     * @param now      epoch milliseconds
     */
    public synchronized Outcome decide(Dhcp6Message received, Inet6Address source, Inet6Address server,
                                       BootOnly6.Listener listener, Optional<String> iface, long now) {
        if (listener == BootOnly6.Listener.PXE) {
            return Outcome.silent("UDP 4011 in server mode: our answers never send EDK2 there (no 16 PXEClient)");
        }
        if (received.type() == Dhcp6MessageType.RELAY_REPL) {
            return Outcome.silent("RELAY-REPL is a server's message (RFC 8415 §9)");
        }
        List<Dhcp6Message.Relay> relays = new ArrayList<>();
        Dhcp6Message inner = received;
        while (inner instanceof Dhcp6Message.Relay relay) {
            relays.add(relay);
            inner = relay.relayed();
        }
        if (!(inner instanceof Dhcp6Message.ClientServer client) || !client.type().fromClient()) {
            return Outcome.silent(inner.type() + " is not a client's message");
        }
        Optional<AddressPool6> pool = relays.isEmpty()
                ? iface.flatMap(i -> pools.stream().filter(p -> p.iface().filter(i::equals).isPresent()).findFirst())
                : pools.stream().filter(p -> p.prefix().contains(relays.get(relays.size() - 1).linkAddress()))
                        .findFirst();
        if (pool.isEmpty()) {
            return Outcome.silent(client.type() + ": no pool serves " + (relays.isEmpty() ? "interface "
                    + iface.orElse("?") : "the relay agent's link " + AddressText.of(relays.get(relays.size() - 1)
                    .linkAddress())));
        }
        Optional<Duid> clientId = client.option(Dhcp6Option.ClientId.class).map(Dhcp6Option.ClientId::duid);
        Optional<Duid> addressed = client.option(Dhcp6Option.ServerId.class).map(Dhcp6Option.ServerId::duid);
        Optional<String> refused = refusal(client.type(), clientId, addressed);
        if (refused.isPresent()) {
            return Outcome.silent(refused.get());
        }
        Optional<MacAddress> mac = ClientMac.of(received, source) instanceof ClientMac.Known known
                ? Optional.of(known.mac()) : clientId.flatMap(duids::macOf);
        if (client.type() == Dhcp6MessageType.SOLICIT && mac.isPresent() && !planner.configured(mac.get())
                && Pxe6Request.detect(client) instanceof Pxe6Request boot) {
            discoveries.saw(sighting(boot, mac.get(), relays.isEmpty() ? "interface " + iface.orElse("?")
                    : "relay " + AddressText.of(relays.get(relays.size() - 1).linkAddress()), now));
        }
        Optional<Hosts6.Host> host = mac.flatMap(hosts::host);
        if (host.isEmpty() && !pool.get().unknownMachines()) {
            return Outcome.silent(client.type() + " from " + mac.map(MacAddress::toString).orElse("a client whose MAC"
                    + " is unknown") + ": no machine file, no default.yaml, and the pool of " + pool.get().name()
                    + " has unknownMachines: false");
        }
        Exchange x = new Exchange(client, pool.get(), server, mac, host.flatMap(Hosts6.Host::reserved),
                clientId.orElse(null), now);
        Outcome outcome = x.answer();
        if (!(outcome.decision() instanceof BootOnly6.Answered || outcome.decision() instanceof BootOnly6.Reply)) {
            return outcome;
        }
        return new Outcome(wrap(outcome.decision(), relays), outcome.leases());
    }

    /** What discovery keeps of a boot client's SOLICIT: the DUID-UUID is the machine's SMBIOS UUID (RFC 6355). */
    private static Sighting sighting(Pxe6Request request, MacAddress mac, String via, long now) {
        Optional<String> uuid = request.clientId() instanceof Duid.Uuid u
                ? Optional.of(java.util.HexFormat.of().formatHex(u.uuid().bytes()).replaceFirst(
                        "(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5")) : Optional.empty();
        String vendorClass = request.message().option(Dhcp6Option.VendorClass.class)
                .map(v -> String.join(" ", v.data().stream().map(Opaque::text).toList())).orElse("");
        return new Sighting(mac, java.time.Instant.ofEpochMilli(now), request.firmware(), request.arch().toString(),
                uuid, vendorClass, request.ipxe(), via);
    }

    /** §16: the messages a server discards for the identifiers they carry or lack. */
    private Optional<String> refusal(Dhcp6MessageType type, Optional<Duid> clientId, Optional<Duid> addressed) {
        if (clientId.isEmpty() && type != Dhcp6MessageType.INFORMATION_REQUEST) {
            return Optional.of(type + " without CLIENTID (1): RFC 8415 §16 discards it");
        }
        boolean ours = addressed.filter(serverId::equals).isPresent();
        return switch (type) {
            // §16.2, §16.5, §16.7: no SERVERID allowed.
            case SOLICIT, CONFIRM, REBIND -> addressed.isPresent()
                    ? Optional.of(type + " with SERVERID (2): RFC 8415 §16 discards it") : Optional.empty();
            // §16.4, §16.6, §16.8, §16.9: the server they name.
            case REQUEST, RENEW, RELEASE, DECLINE -> ours ? Optional.empty()
                    : Optional.of(type + (addressed.isEmpty() ? " without SERVERID (2): RFC 8415 §16 discards it"
                            : " for another server (" + BootOnly6.hex(addressed.get()) + ")"));
            // §16.12: ours or none.
            case INFORMATION_REQUEST -> addressed.isEmpty() || ours ? Optional.empty()
                    : Optional.of("INFORMATION-REQUEST for another server");
            default -> Optional.of(type + " is not a client's message to a server");
        };
    }

    private static BootOnly6.Decision wrap(BootOnly6.Decision d, List<Dhcp6Message.Relay> relays) {
        Dhcp6Message m = d instanceof BootOnly6.Reply r ? r.message() : ((BootOnly6.Answered) d).message();
        for (int i = relays.size() - 1; i >= 0; i--) {
            m = BootOnly6.relayReply(relays.get(i), m);
        }
        if (d instanceof BootOnly6.Reply r) {
            return new BootOnly6.Reply(m, r.request(), r.mac(), r.bootFileUrl());
        }
        BootOnly6.Answered a = (BootOnly6.Answered) d;
        return new BootOnly6.Answered(m, a.mac(), a.what(), a.problem());
    }

    /** One client message against one pool: §18.3's answer. */
    private final class Exchange {
        private final Dhcp6Message.ClientServer m;
        private final AddressPool6 pool;
        private final Inet6Address server;
        private final Optional<MacAddress> mac;
        private final Optional<Inet6Address> reserved;
        /** Null only in an INFORMATION-REQUEST, which may come without CLIENTID (§16.12). */
        private final Duid clientId;
        private final long now;
        private final Predicate<Inet6Address> reservedForOther;
        private final List<Lease6> written = new ArrayList<>();

        Exchange(Dhcp6Message.ClientServer m, AddressPool6 pool, Inet6Address server, Optional<MacAddress> mac,
                 Optional<Inet6Address> reserved, Duid clientId, long now) {
            this.m = m;
            this.pool = pool;
            this.server = server;
            this.mac = mac;
            this.reserved = reserved;
            this.clientId = clientId;
            this.now = now;
            // Our own address is never handed out, whatever the range says.
            this.reservedForOther = a -> a.equals(server)
                    || hosts.reservedFor(a).filter(o -> !Optional.of(o).equals(mac)).isPresent();
        }

        Outcome answer() {
            return switch (m.type()) {
                case SOLICIT -> solicit();
                case REQUEST -> assign("REQUEST");
                case RENEW, REBIND -> extend();
                case RELEASE -> release();
                case DECLINE -> decline();
                case CONFIRM -> confirm();
                case INFORMATION_REQUEST -> send(Dhcp6MessageType.REPLY, List.of(), "information");
                default -> Outcome.silent(m.type() + " is not a client's message to a server");
            };
        }

        private List<Dhcp6Option.IaNa> ias() {
            return m.options().stream().filter(Dhcp6Option.IaNa.class::isInstance).map(Dhcp6Option.IaNa.class::cast)
                    .toList();
        }

        private Lease6.Holder holder(Dhcp6Option.IaNa ia) {
            return new Lease6.Holder(clientId, ia.iaid(), mac);
        }

        /** §18.3.1: ADVERTISE the addresses a REQUEST would get; with Rapid Commit, bind them and REPLY. */
        private Outcome solicit() {
            boolean rapid = m.option(Dhcp6Option.RapidCommit.class).isPresent();
            if (rapid) {
                return assign("rapid-commit SOLICIT");
            }
            List<Dhcp6Option> ias = new ArrayList<>();
            for (Dhcp6Option.IaNa ia : ias()) {
                Optional<Inet6Address> chosen = book.choose(holder(ia), pool, reserved, reservedForOther, now);
                chosen.ifPresent(a -> book.offer(holder(ia), a, now));
                ias.add(chosen.map(a -> bound(ia, a)).orElseGet(() -> status(ia, Dhcp6Option.StatusCode.NO_ADDRS_AVAIL,
                        "no free address in " + pool.prefix())));
            }
            if (ias.isEmpty()) {
                return Outcome.silent("SOLICIT without IA_NA: asks for no address (IA_TA and IA_PD are not served)");
            }
            if (ias.stream().allMatch(ia -> ((Dhcp6Option.IaNa) ia).addresses().isEmpty())) {
                // §18.3.9: no IA options, and NoAddrsAvail at the top level.
                return send(Dhcp6MessageType.ADVERTISE, List.of(new Dhcp6Option.StatusCode(
                        Dhcp6Option.StatusCode.NO_ADDRS_AVAIL, "no free address in " + pool.prefix())),
                        "no free address");
            }
            List<Dhcp6Option> options = new ArrayList<>(ias);
            // §18.3.1, §21.8: 255 makes EDK2 REQUEST at once instead of collecting ADVERTISEs ~4.8 s (pxe6-pref255).
            options.add(new Dhcp6Option.Preference(Boot6Answer.PREFERENCE_MAX));
            return send(Dhcp6MessageType.ADVERTISE, options, "advertised " + addresses(ias));
        }

        /** §18.3.2 (and a Rapid Commit SOLICIT, §18.3.1): bind each IA_NA and REPLY. */
        private Outcome assign(String what) {
            List<Dhcp6Option> ias = new ArrayList<>();
            for (Dhcp6Option.IaNa ia : ias()) {
                if (ia.addresses().stream().anyMatch(a -> !pool.onLink(a.address()))) {
                    ias.add(status(ia, Dhcp6Option.StatusCode.NOT_ON_LINK, "not on the link of " + pool.prefix()));
                    continue;
                }
                Optional<Inet6Address> chosen = book.choose(holder(ia), pool, reserved, reservedForOther, now);
                chosen.ifPresent(a -> written.addAll(book.bind(holder(ia), a, now, until())));
                ias.add(chosen.map(a -> bound(ia, a)).orElseGet(() -> status(ia, Dhcp6Option.StatusCode.NO_ADDRS_AVAIL,
                        "no free address in " + pool.prefix())));
            }
            if (ias.isEmpty()) {
                return Outcome.silent(m.type() + " without IA_NA: asks for no address (IA_TA and IA_PD are not served)");
            }
            List<Dhcp6Option> options = new ArrayList<>(ias);
            if (m.type() == Dhcp6MessageType.SOLICIT) {
                options.add(new Dhcp6Option.RapidCommit());
            }
            return send(Dhcp6MessageType.REPLY, options, what + ": bound " + addresses(ias));
        }

        /**
         * §18.3.4 RENEW, §18.3.5 REBIND: a binding found is extended; addresses not on the link are
         * returned with lifetimes 0; an IA without a binding gets NoBinding.
         */
        private Outcome extend() {
            List<Dhcp6Option> ias = new ArrayList<>();
            for (Dhcp6Option.IaNa ia : ias()) {
                List<Dhcp6Option.IaAddress> offLink = ia.addresses().stream().filter(a -> !pool.onLink(a.address()))
                        .map(a -> new Dhcp6Option.IaAddress(a.address(), 0, 0, List.of())).toList();
                Optional<Inet6Address> held = book.leaseOf(Lease6Book.Ia.of(holder(ia))).map(Lease6::address)
                        .filter(a -> book.choose(holder(ia), pool, reserved, reservedForOther, now)
                                .filter(a::equals).isPresent());
                if (held.isPresent()) {
                    written.addAll(book.bind(holder(ia), held.get(), now, until()));
                    List<Dhcp6Option> inside = new ArrayList<>(bound(ia, held.get()).options());
                    inside.addAll(offLink);
                    ias.add(new Dhcp6Option.IaNa(ia.iaid(), t1(), t2(), inside));
                } else if (!offLink.isEmpty()) {
                    ias.add(new Dhcp6Option.IaNa(ia.iaid(), 0, 0, List.copyOf(offLink)));
                } else {
                    ias.add(status(ia, Dhcp6Option.StatusCode.NO_BINDING, "no binding for IAID " + ia.iaid()));
                }
            }
            if (ias.isEmpty()) {
                return Outcome.silent(m.type() + " without IA_NA");
            }
            return send(Dhcp6MessageType.REPLY, ias, m.type() + ": " + addresses(ias));
        }

        /** §18.3.7: each address the IA holds is freed; an IA without one gets NoBinding; Success overall. */
        private Outcome release() {
            List<Dhcp6Option> options = new ArrayList<>();
            List<String> released = new ArrayList<>();
            for (Dhcp6Option.IaNa ia : ias()) {
                List<Lease6> freed = ia.addresses().stream()
                        .flatMap(a -> book.release(holder(ia), a.address(), now).stream()).toList();
                written.addAll(freed);
                freed.forEach(l -> released.add(AddressText.of(l.address())));
                if (freed.isEmpty()) {
                    options.add(status(ia, Dhcp6Option.StatusCode.NO_BINDING, "no binding for IAID " + ia.iaid()));
                }
            }
            options.add(new Dhcp6Option.StatusCode(Dhcp6Option.StatusCode.SUCCESS, "released"));
            return send(Dhcp6MessageType.REPLY, options, "released " + released);
        }

        /** §18.3.8: each address the IA holds is quarantined; an IA without one gets NoBinding; Success overall. */
        private Outcome decline() {
            List<Dhcp6Option> options = new ArrayList<>();
            List<String> declined = new ArrayList<>();
            for (Dhcp6Option.IaNa ia : ias()) {
                List<Dhcp6Option.IaAddress> held = ia.addresses().stream()
                        .filter(a -> book.lease(a.address()).filter(l -> l.heldBy(holder(ia), now)).isPresent())
                        .toList();
                held.forEach(a -> {
                    written.add(book.quarantine(a.address(), now + QUARANTINE_MILLIS));
                    declined.add(AddressText.of(a.address()));
                });
                if (held.isEmpty()) {
                    options.add(status(ia, Dhcp6Option.StatusCode.NO_BINDING, "no binding for IAID " + ia.iaid()));
                }
            }
            options.add(new Dhcp6Option.StatusCode(Dhcp6Option.StatusCode.SUCCESS, "declined"));
            return send(Dhcp6MessageType.REPLY, options, "declined " + declined + " (quarantined)");
        }

        /** §18.3.3: Success when every address is on the link, NotOnLink otherwise; no answer without addresses. */
        private Outcome confirm() {
            List<Dhcp6Option.IaAddress> all = ias().stream().flatMap(ia -> ia.addresses().stream()).toList();
            if (all.isEmpty()) {
                return Outcome.silent("CONFIRM without addresses: RFC 8415 §18.3.3 sends no answer");
            }
            boolean onLink = all.stream().allMatch(a -> pool.onLink(a.address()));
            return send(Dhcp6MessageType.REPLY, List.of(onLink
                    ? new Dhcp6Option.StatusCode(Dhcp6Option.StatusCode.SUCCESS, "on link")
                    : new Dhcp6Option.StatusCode(Dhcp6Option.StatusCode.NOT_ON_LINK, "not all on " + pool.prefix())),
                    "confirmed: " + (onLink ? "on link" : "not on link"));
        }

        /** The answer: SERVERID, CLIENTID, {@code options}, 23 and 24 if asked, boot options to a boot client. */
        private Outcome send(Dhcp6MessageType type, List<Dhcp6Option> options, String what) {
            List<Dhcp6Option> all = new ArrayList<>();
            all.add(new Dhcp6Option.ServerId(serverId));
            if (clientId != null) {
                all.add(new Dhcp6Option.ClientId(clientId));
            }
            all.addAll(options);
            List<Integer> asked = m.option(Dhcp6Option.OptionRequest.class).map(Dhcp6Option.OptionRequest::codes)
                    .orElse(List.of());
            if (asked.contains(Dhcp6Option.DNS_SERVERS) && !pool.dns().isEmpty()) {
                all.add(new Dhcp6Option.DnsServers(pool.dns()));
            }
            if (asked.contains(Dhcp6Option.DOMAIN_LIST) && !pool.search().isEmpty()) {
                all.add(new Dhcp6Option.DomainList(pool.search()));
            }
            // Boot options go with an address in the boot exchange (SOLICIT, REQUEST): a renewal is
            // not a boot, and an answer without an address must not draw EDK2 (proxy6-url's hang).
            boolean bootExchange = (m.type() == Dhcp6MessageType.SOLICIT || m.type() == Dhcp6MessageType.REQUEST)
                    && all.stream().anyMatch(o -> o instanceof Dhcp6Option.IaNa ia && !ia.addresses().isEmpty());
            Optional<String> problem = Optional.empty();
            if (bootExchange && mac.isPresent() && Pxe6Request.detect(m) instanceof Pxe6Request request) {
                try {
                    Optional<BootPlan> plan = planner.plan(request.machine(mac.get(), Optional.of(server)));
                    if (plan.isPresent()) {
                        all.addAll(Boot6Answer.bootOptions(request, plan.get().bootFileUrl()));
                        // §16.5, §16.8: the answer carries the transaction-id of the message it answers.
                        Dhcp6Message.ClientServer answer = new Dhcp6Message.ClientServer(type, m.transactionId(), all);
                        return new Outcome(new BootOnly6.Reply(answer, request, mac.get(), plan.get().bootFileUrl()),
                                written);
                    }
                } catch (BootPlanException | IllegalArgumentException e) {
                    problem = Optional.of(mac.get() + ": addresses without boot options: " + e.getMessage());
                }
            }
            Dhcp6Message.ClientServer answer = new Dhcp6Message.ClientServer(type, m.transactionId(), all);
            return new Outcome(new BootOnly6.Answered(answer, mac, what, problem), written);
        }

        private long until() {
            return now + pool.validLifetime() * 1000;
        }

        // §21.4: T1 and T2 are recommended at 0.5 and 0.8 times the shortest preferred lifetime.
        private long t1() {
            return pool.preferredLifetime() / 2;
        }

        private long t2() {
            return pool.preferredLifetime() * 4 / 5;
        }

        private Dhcp6Option.IaNa bound(Dhcp6Option.IaNa ia, Inet6Address address) {
            return new Dhcp6Option.IaNa(ia.iaid(), t1(), t2(), List.of(new Dhcp6Option.IaAddress(address,
                    pool.preferredLifetime(), pool.validLifetime(), List.of())));
        }

        /** §18.3: an IA the server cannot serve carries a status and no address. */
        private Dhcp6Option.IaNa status(Dhcp6Option.IaNa ia, int status, String message) {
            return new Dhcp6Option.IaNa(ia.iaid(), 0, 0, List.of(new Dhcp6Option.StatusCode(status, message)));
        }

        private String addresses(List<Dhcp6Option> ias) {
            return ias.stream().filter(Dhcp6Option.IaNa.class::isInstance)
                    .flatMap(ia -> ((Dhcp6Option.IaNa) ia).addresses().stream())
                    .map(a -> AddressText.of(a.address())).toList().toString();
        }
    }
}
