package org.bootferry.dhcp6;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.bootferry.lang.Ipv6;
import org.bootferry.machine.MacAddress;

/**
 * DHCPv6 server mode's bindings in memory and the choice of an address, with no I/O and the time
 * passed in. Not thread-safe: {@link ServerDhcp6} holds its lock around every call.
 *
 * <p>A binding is per DUID and IAID (RFC 8415 §12.1). Firmware makes that costly: EDK2 sends a new
 * random IAID every boot, and its autoconfig client, its PXE client and iPXE each send a different
 * DUID-UUID (reference/ipv6: dnsmasq leased three addresses a boot). So, by MAC where one is known:
 * <ul>
 *   <li>a machine's {@code ip6:} is its MAC's, not one client's: whichever of its clients asks gets
 *       it, and the record names the latest. They are one network card's successive stages, which
 *       hand over in turn (EDK2 RELEASEs the autoconfig lease when PXE starts, the PXE one before the
 *       NBP runs), so the address is on the wire once. A RELEASE frees it only for the client the record
 *       names; the reservation keeps it from everyone else anyway;</li>
 *   <li>without a reservation, a new IA of a MAC gets back the address the MAC held last when nobody
 *       holds it now (released, or expired), so a machine booted again and again stays on one address
 *       instead of taking a new one each boot.</li>
 * </ul>
 * Advertised addresses are kept for their client for {@link #OFFER_MILLIS}, so that two clients
 * soliciting at once are not advertised the same one; nothing about them needs to survive a restart.
 */
final class Lease6Book {

    /** How long an advertised address is kept for its client (EDK2 REQUESTs within ~5 s). */
    static final long OFFER_MILLIS = 60_000;

    /** An identity association: the binding's key (RFC 8415 §12.1). */
    record Ia(Duid duid, long iaid) {
        static Ia of(Lease6.Holder h) {
            return new Ia(h.duid(), h.iaid());
        }
    }

    private record Offer(Ia ia, Optional<MacAddress> mac, long until) {
    }

    private final Map<BigInteger, Lease6> byAddress = new HashMap<>();
    private final Map<Ia, Inet6Address> byIa = new HashMap<>();
    /** The address each MAC held last. */
    private final Map<MacAddress, Inet6Address> byMac = new HashMap<>();
    /** Live offers by address, oldest first: all last {@link #OFFER_MILLIS}, so the first to expire leads. */
    private final LinkedHashMap<BigInteger, Offer> offers = new LinkedHashMap<>();
    private final Map<Ia, BigInteger> offerOf = new HashMap<>();
    /**
     * Per pool (by its first address), the lowest address with neither a record nor a live offer, where
     * the search for a never-used address starts: records are never removed, so only an offer that
     * expires frees an address below it again ({@link #expire}). Without it, each SOLICIT walked every
     * address offered in the last minute (a flood of new DUIDs: 4.8-8.2 ms of CPU an answer).
     */
    private final NavigableMap<BigInteger, BigInteger> unusedFrom = new TreeMap<>();

    Lease6Book(Collection<Lease6> loaded) {
        loaded.forEach(this::apply);
    }

    /** Takes a record as the store has it (loading, or after it was written). */
    void apply(Lease6 lease) {
        Lease6 before = byAddress.put(Ipv6.toNumber(lease.address()), lease);
        if (before != null) {
            before.holder().ifPresent(h -> {
                byIa.remove(Ia.of(h), lease.address());
                h.mac().ifPresent(mac -> byMac.remove(mac, lease.address()));
            });
        }
        lease.holder().ifPresent(h -> {
            byIa.put(Ia.of(h), lease.address());
            h.mac().ifPresent(mac -> byMac.put(mac, lease.address()));
        });
    }

    Collection<Lease6> all() {
        return byAddress.values();
    }

    Optional<Lease6> lease(Inet6Address address) {
        return Optional.ofNullable(byAddress.get(Ipv6.toNumber(address)));
    }

    /** The address this IA is bound to or was last, with its record. */
    Optional<Lease6> leaseOf(Ia ia) {
        return Optional.ofNullable(byIa.get(ia)).flatMap(this::lease);
    }

    /**
     * The address for a client's IA, in this order: its MAC's reservation; the IA's binding; the
     * address advertised to it; the address its MAC held last, when free; a range address never
     * used; the longest expired.
     *
     * @param reservedForOther whether an address is another machine's {@code ip6:}
     */
    Optional<Inet6Address> choose(Lease6.Holder client, AddressPool6 pool, Optional<Inet6Address> reserved,
                                  Predicate<Inet6Address> reservedForOther, long now) {
        if (reserved.isPresent() && pool.onLink(reserved.get()) && freeForMac(reserved.get(), client, now)) {
            return reserved;
        }
        Optional<Lease6> bound = leaseOf(Ia.of(client));
        if (bound.isPresent() && usable(bound.get().address(), client, pool, reservedForOther, now)) {
            return Optional.of(bound.get().address());
        }
        expire(now);
        Optional<Inet6Address> advertised = Optional.ofNullable(offerOf.get(Ia.of(client))).map(Ipv6::of)
                .filter(a -> usable(a, client, pool, reservedForOther, now));
        if (advertised.isPresent()) {
            return advertised;
        }
        Optional<Inet6Address> last = client.mac().map(byMac::get);
        if (last.isPresent() && usable(last.get(), client, pool, reservedForOther, now)) {
            return last;
        }
        // The lowest address without a record. An address with no record, no offer and no reservation
        // is usable unless it is the subnet-router anycast one; the search starts where the last one
        // found the first such address, so it steps over reservations and the offers made since.
        BigInteger start = Ipv6.toNumber(pool.first());
        BigInteger end = Ipv6.toNumber(pool.last());
        BigInteger from = unusedFrom.getOrDefault(start, start);
        boolean unusedBelow = false;
        for (BigInteger a = from; a.compareTo(end) <= 0; a = a.add(BigInteger.ONE)) {
            if (byAddress.containsKey(a) || offers.containsKey(a)) {
                continue;
            }
            if (!unusedBelow) {
                unusedFrom.put(start, a);
                unusedBelow = true;
            }
            if (usable(Ipv6.of(a), client, pool, reservedForOther, now)) {
                return Optional.of(Ipv6.of(a));
            }
        }
        return byAddress.values().stream()
                .filter(l -> pool.inRange(l.address()) && usable(l.address(), client, pool, reservedForOther, now))
                .min(java.util.Comparator.comparingLong(Lease6::expires)).map(Lease6::address);
    }

    /** Keeps {@code address} for the client's IA while it decides (an ADVERTISE). */
    void offer(Lease6.Holder client, Inet6Address address, long now) {
        BigInteger a = Ipv6.toNumber(address);
        withdraw(a);
        Ia ia = Ia.of(client);
        Optional.ofNullable(offerOf.put(ia, a)).filter(other -> !other.equals(a)).ifPresent(other -> {
            withdraw(other);
            freed(other);
        });
        offers.put(a, new Offer(ia, client.mac(), now + OFFER_MILLIS));
    }

    /** Drops the offers that ran out (oldest first), each address free again for the never-used search. */
    private void expire(long now) {
        for (var i = offers.entrySet().iterator(); i.hasNext(); ) {
            Map.Entry<BigInteger, Offer> e = i.next();
            if (e.getValue().until() > now) {
                return;
            }
            i.remove();
            offerOf.remove(e.getValue().ia(), e.getKey());
            freed(e.getKey());
        }
    }

    /** Takes back the offer of an address, if there is one. */
    private void withdraw(BigInteger address) {
        Offer offer = offers.remove(address);
        if (offer != null) {
            offerOf.remove(offer.ia(), address);
        }
    }

    /** An address with no record lost its offer: the never-used search of its pool starts at it at the latest. */
    private void freed(BigInteger address) {
        Map.Entry<BigInteger, BigInteger> pool = unusedFrom.floorEntry(address);
        if (pool != null && address.compareTo(pool.getValue()) < 0) {
            pool.setValue(address);
        }
    }

    /**
     * The records of a bind, applied here; the caller stores them before the REPLY leaves. An IA holds
     * one address: when it moves, its old address is freed in the same write.
     */
    List<Lease6> bind(Lease6.Holder client, Inet6Address address, long now, long until) {
        withdraw(Ipv6.toNumber(address));
        List<Lease6> written = new ArrayList<>(2);
        leaseOf(Ia.of(client)).filter(l -> !l.address().equals(address) && l.heldBy(client, now))
                .ifPresent(old -> written.add(new Lease6(old.address(), old.holder(), now)));
        written.add(new Lease6(address, Optional.of(client), until));
        written.forEach(this::apply);
        return written;
    }

    /** A RELEASE of one address: free, the client stays its last holder; empty when the IA does not hold it. */
    Optional<Lease6> release(Lease6.Holder client, Inet6Address address, long now) {
        Optional<Lease6> current = lease(address).filter(l -> l.heldBy(client, now));
        current.ifPresent(l -> apply(new Lease6(address, l.holder(), now)));
        return current.map(l -> new Lease6(address, l.holder(), now));
    }

    /** A DECLINE: nobody gets the address until {@code until} (RFC 8415 §18.3.8). */
    Lease6 quarantine(Inet6Address address, long until) {
        withdraw(Ipv6.toNumber(address));
        Lease6 lease = new Lease6(address, Optional.empty(), until);
        apply(lease);
        return lease;
    }

    /** Nobody but this client's IA holds, is offered or has quarantined the address now. */
    private boolean free(Inet6Address address, Lease6.Holder client, long now) {
        Lease6 record = byAddress.get(Ipv6.toNumber(address));
        if (record != null && record.busy(now) && !record.heldBy(client, now)) {
            return false;
        }
        Offer offer = offers.get(Ipv6.toNumber(address));
        return offer == null || offer.until() <= now || offer.ia().equals(Ia.of(client));
    }

    /** As {@link #free}, but a client of the same MAC holding it counts as the client: a reservation's rule. */
    private boolean freeForMac(Inet6Address address, Lease6.Holder client, long now) {
        Lease6 record = byAddress.get(Ipv6.toNumber(address));
        boolean sameMac = record != null && client.mac().isPresent()
                && record.holder().flatMap(Lease6.Holder::mac).equals(client.mac());
        if (record != null && record.busy(now) && record.holder().isEmpty()) {
            return false; // declined: quarantined for the machine too
        }
        if (sameMac) {
            return true;
        }
        Offer offer = offers.get(Ipv6.toNumber(address));
        boolean offeredElsewhere = offer != null && offer.until() > now && !offer.ia().equals(Ia.of(client))
                && !(client.mac().isPresent() && offer.mac().equals(client.mac()));
        return !offeredElsewhere && (record == null || !record.busy(now) || record.heldBy(client, now));
    }

    private boolean usable(Inet6Address address, Lease6.Holder client, AddressPool6 pool,
                           Predicate<Inet6Address> reservedForOther, long now) {
        return pool.inRange(address) && pool.onLink(address) && !reservedForOther.test(address)
                && free(address, client, now);
    }
}
