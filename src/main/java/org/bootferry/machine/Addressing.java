package org.bootferry.machine;

import java.net.Inet4Address;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What DHCP server mode holds and would hand out: its leases, the reservations of the machine files
 * and the machines' names; and the other DHCP servers it hears; DHCPv6 server mode's bindings. {@code dhcp} answers it, {@code server} wires it, and explain, the API,
 * the status page and {@code bootferry leases} read it; in the other DHCP modes it is {@link #NONE}.
 */
public interface Addressing {

    /** No addresses: DHCP is proxy or off, so the site's DHCP server (or nobody) gives them. */
    Addressing NONE = new Addressing() {
        @Override
        public List<Address> addresses() {
            return List.of();
        }

        @Override
        public List<Choice> choices(MacAddress mac) {
            return List.of();
        }

        @Override
        public List<OtherServer> otherServers() {
            return List.of();
        }
    };

    /** Every address with a lease record or a reservation, in address order. */
    List<Address> addresses();

    /** Per pool, in server.yaml's order: the address the machine would be offered there, or why none. */
    List<Choice> choices(MacAddress mac);

    /** Other DHCP servers heard on the links of server mode's pools since the start. */
    List<OtherServer> otherServers();

    /** DHCPv6 server mode's binding records, in address order; none in its other modes. */
    default List<Binding6> bindings6() {
        return List.of();
    }

    /**
     * One DHCPv6 binding record (RFC 8415 §12.1: per client DUID and IAID).
     *
     * @param address  the address as RFC 5952 writes it ({@code fd42::21})
     * @param hostname that machine's {@code hostname:}
     * @param state    {@code BOUND}, {@code FREE} (released or expired), {@code QUARANTINED} (declined) or
     *                 {@code RESERVED} (a machine file's {@code ip6:} no record names yet)
     * @param mac      the MAC its client was known by, or the machine it is reserved for
     * @param expires  epoch milliseconds; 0 for a reservation without a record
     * @param reserved whether it is its machine's {@code ip6:}
     * @param duid     the client's DUID in hex as {@code duid:} takes it; empty when quarantined
     */
    record Binding6(String address, Optional<MacAddress> mac, Optional<String> hostname, State state,
            long expires, boolean reserved, String pool, Optional<String> duid, OptionalLong iaid) {

        /** Its fields as {@code /api/leases} shows them, beside the DHCPv4 leases: absent ones left out. */
        public Map<String, Object> fields() {
            Map<String, Object> fields = leaseFields(address, mac, hostname, state, expires, reserved, pool);
            duid.ifPresent(d -> fields.put("duid", d));
            iaid.ifPresent(i -> fields.put("iaid", i));
            return fields;
        }
    }

    /** Where an address stands. */
    enum State {
        /** Leased to {@link Address#mac()} until {@link Address#expires()}. */
        BOUND,
        /** Released or expired: free, and its last holder gets it back first. */
        FREE,
        /** Declined by a client, or found in use on the link: nobody gets it until {@link Address#expires()}. */
        QUARANTINED,
        /** A machine file's {@code ip:} (or {@code ip6:}) that no lease record names yet. */
        RESERVED;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One address.
     *
     * @param mac      its holder, last holder, or the machine it is reserved for
     * @param hostname that machine's {@code hostname:}
     * @param expires  epoch milliseconds; 0 for a reservation without a lease record
     * @param reserved whether a machine file reserves it ({@code ip:})
     * @param pool     the pool whose network holds it ({@code interface br-prov}, {@code subnet 10.21.0.0/24})
     */
    record Address(Inet4Address address, Optional<MacAddress> mac, Optional<String> hostname, State state,
            long expires, boolean reserved, String pool) {

        /** Its fields as {@code /api/leases} and {@code bootferry leases --json} show them: absent ones left out. */
        public Map<String, Object> fields() {
            return leaseFields(address.getHostAddress(), mac, hostname, state, expires, reserved, pool);
        }
    }

    /** The fields a lease and a DHCPv6 binding share, in {@code /api/leases}'s order: absent ones left out. */
    private static Map<String, Object> leaseFields(String address, Optional<MacAddress> mac, Optional<String> hostname,
            State state, long expires, boolean reserved, String pool) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("address", address);
        mac.ifPresent(m -> fields.put("mac", m.toString()));
        hostname.ifPresent(h -> fields.put("hostname", h));
        fields.put("state", state.id());
        if (state != State.RESERVED) {
            fields.put("expires", Instant.ofEpochMilli(expires).toString());
        }
        fields.put("reserved", reserved);
        fields.put("pool", pool);
        return fields;
    }

    /**
     * What one pool would offer a machine.
     *
     * @param address the address, empty when the pool gives it none
     * @param how     why this address (its reservation, its lease, a free one of the range) or why none
     */
    record Choice(String pool, Optional<Inet4Address> address, String how) {
    }

    /**
     * Another DHCP server that handed out an address on one of our links.
     *
     * @param server   its server identifier (option 54), or the address its answer came from
     * @param iface    the interface it was heard on
     * @param replies  its OFFERs and ACKs heard
     * @param lastSeen epoch milliseconds
     * @param refused  whether the interface was refused for it at start (no {@code allowOtherServers})
     */
    record OtherServer(Inet4Address server, String iface, long replies, long lastSeen, boolean refused) {
    }
}
