package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.bootferry.lang.Ipv4;
import org.bootferry.machine.MacAddress;

/**
 * Server mode's leases in memory and the choice of an address (RFC 2131 §4.3.1), with no I/O and the
 * time passed in: what the listener asks and the tests drive. Not thread-safe: {@link ServerDhcp}
 * holds its lock around every call.
 *
 * <p>Offers are not leases: they live here only, for {@link #OFFER_MILLIS}, so that two clients
 * asking at once are not offered the same address; a client that takes the offer REQUESTs it within
 * seconds. Nothing about an offer needs to survive a restart: the client's REQUEST after one is
 * answered from the journal (or NAKed, and the client starts over, RFC 2131 §3.1 step 4).
 */
final class LeaseBook {

    /** How long an offered address is kept for its client. */
    static final long OFFER_MILLIS = 60_000;

    private final Map<Inet4Address, Lease> byAddress = new HashMap<>();
    /** The address each MAC holds or held last. */
    private final Map<MacAddress, Inet4Address> byMac = new HashMap<>();
    private final Map<Inet4Address, Offer> offers = new HashMap<>();
    /** Per pool that has been asked, by its first address (ranges don't overlap). Records are replaced, never removed. */
    private final Map<Long, Recorded> recordedIn = new HashMap<>();

    private record Offer(MacAddress mac, long until) {
    }

    /** An address for a DISCOVER; {@code fresh} when the client has not held or been offered it before. */
    record Choice(Inet4Address address, boolean fresh) {
    }

    /** Whether a REQUEST for an address may be bound. */
    enum Verdict {
        /** Bind it. */
        BIND,
        /** It is another's, outside the pool, or not the client's reservation: NAK. */
        WRONG,
        /** Nothing here says it is the client's (RFC 2131 §4.3.2 INIT-REBOOT: "MUST remain silent"). */
        NO_RECORD
    }

    LeaseBook(Collection<Lease> loaded) {
        loaded.forEach(this::apply);
    }

    /** Takes a record as the store has it (loading, or after it was written). */
    void apply(Lease lease) {
        Lease before = byAddress.put(lease.address(), lease);
        recordedIn.values().forEach(r -> r.add(lease.address()));
        if (before != null) {
            before.holder().ifPresent(mac -> byMac.remove(mac, lease.address()));
        }
        // Should a MAC name two records (a journal of an older layout), the later expiry is its binding.
        lease.holder().ifPresent(mac -> byMac.merge(mac, lease.address(),
                (old, mine) -> byAddress.get(old).expires() > lease.expires() ? old : mine));
    }

    Optional<Lease> lease(Inet4Address address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    /** The address the MAC holds or held last, with its record. */
    Optional<Lease> leaseOf(MacAddress mac) {
        return Optional.ofNullable(byMac.get(mac)).map(byAddress::get);
    }

    Collection<Lease> all() {
        return byAddress.values();
    }

    /**
     * The address to offer, in RFC 2131 §4.3.1's order: the machine's reservation; its current or
     * previous binding; the address it asks for (option 50); a free one of the range, never used ones
     * first, then the longest expired.
     *
     * @param reservedForOther whether an address is another machine's reservation
     */
    Optional<Choice> offer(MacAddress mac, AddressPool pool, Optional<Inet4Address> reserved,
                           Optional<Inet4Address> requested, Predicate<Inet4Address> reservedForOther,
                           long now) {
        Optional<Choice> chosen = choose(mac, pool, reserved, requested, reservedForOther, now);
        chosen.ifPresent(c -> offers.put(c.address(), new Offer(mac, now + OFFER_MILLIS)));
        return chosen;
    }

    /** What {@link #offer} would choose, without keeping it for the client: explain's question. */
    Optional<Choice> choose(MacAddress mac, AddressPool pool, Optional<Inet4Address> reserved,
                            Optional<Inet4Address> requested, Predicate<Inet4Address> reservedForOther, long now) {
        if (reserved.isPresent() && pool.hostAddress(reserved.get()) && free(reserved.get(), mac, now)) {
            return Optional.of(new Choice(reserved.get(), !known(mac, reserved.get())));
        }
        if (reserved.isPresent() && pool.network().contains(reserved.get())) {
            // The reservation is quarantined (declined, or in use by a stranger): a range address
            // meanwhile, and the reservation again once the quarantine ends.
            reserved = Optional.empty();
        }
        Optional<Lease> previous = leaseOf(mac);
        if (previous.isPresent() && usable(previous.get().address(), mac, pool, reservedForOther, now)) {
            return Optional.of(new Choice(previous.get().address(), false));
        }
        if (requested.isPresent() && usable(requested.get(), mac, pool, reservedForOther, now)) {
            return Optional.of(new Choice(requested.get(), !known(mac, requested.get())));
        }
        Optional<Inet4Address> neverUsed = neverUsed(mac, pool, reservedForOther, now);
        if (neverUsed.isPresent()) {
            return Optional.of(new Choice(neverUsed.get(), true));
        }
        Inet4Address oldest = null;
        long oldestExpiry = Long.MAX_VALUE;
        long last = Ipv4.toUnsigned(pool.last());
        for (long a = Ipv4.toUnsigned(pool.first()); a <= last; a++) {
            Inet4Address candidate = Ipv4.of((int) a);
            Lease record = byAddress.get(candidate);
            if (record != null && record.expires() < oldestExpiry && usable(candidate, mac, pool, reservedForOther, now)) {
                oldest = candidate;
                oldestExpiry = record.expires();
            }
        }
        return Optional.ofNullable(oldest).map(address -> new Choice(address, true));
    }

    /**
     * The lowest address of the range that has no record and is usable. It looks only at addresses
     * without a record ({@link Recorded}), so a run of DISCOVERs from new clients costs about the same
     * at the millionth lease as at the first (before, each walked the range from its start through
     * every record: 80 % of the server's CPU at 10,000 leases, bench/dora-bench.sh).
     */
    private Optional<Inet4Address> neverUsed(MacAddress mac, AddressPool pool, Predicate<Inet4Address> reservedForOther,
                                             long now) {
        long first = Ipv4.toUnsigned(pool.first());
        long last = Ipv4.toUnsigned(pool.last());
        Recorded recorded = recordedIn.computeIfAbsent(first, f -> new Recorded(f, last, byAddress.keySet()));
        for (long a = recorded.next(first); a <= last; a = recorded.next(a + 1)) {
            Inet4Address candidate = Ipv4.of((int) a);
            if (usable(candidate, mac, pool, reservedForOther, now)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Which addresses of a range have a record: bit i for address first + i. */
    private static final class Recorded {
        private final long first;
        private final long last;
        private final BitSet bits = new BitSet();

        Recorded(long first, long last, Collection<Inet4Address> records) {
            this.first = first;
            this.last = last;
            records.forEach(this::add);
        }

        void add(Inet4Address address) {
            long a = Ipv4.toUnsigned(address);
            if (a >= first && a <= last) {
                bits.set((int) (a - first));
            }
        }

        /** The first address from {@code a} on without a record; past the range's last when there is none. */
        long next(long a) {
            return a > last ? a : first + bits.nextClearBit((int) (a - first));
        }
    }

    /** Whether this MAC may be bound to the address: the REQUEST's check (RFC 2131 §4.3.2). */
    Verdict request(MacAddress mac, Inet4Address address, AddressPool pool, Optional<Inet4Address> reserved,
                    Predicate<Inet4Address> reservedForOther, long now) {
        if (!pool.hostAddress(address) || !free(address, mac, now) || reservedForOther.test(address)) {
            return Verdict.WRONG;
        }
        boolean isReservation = reserved.filter(address::equals).isPresent();
        if (reserved.isPresent() && !isReservation && free(reserved.get(), mac, now) && pool.hostAddress(reserved.get())) {
            return Verdict.WRONG; // its reservation is free: a NAK sends it back to DISCOVER to get it
        }
        if (!isReservation && !pool.inRange(address)) {
            return Verdict.WRONG;
        }
        return isReservation || known(mac, address) ? Verdict.BIND : Verdict.NO_RECORD;
    }

    /**
     * The records of a bind, applied here; the caller stores them before the ACK leaves. A machine
     * holds one address: when it moves (to its reservation, say), its old address is freed in the
     * same write.
     */
    List<Lease> bind(MacAddress mac, Inet4Address address, long until) {
        offers.remove(address);
        List<Lease> written = new ArrayList<>(2);
        Inet4Address old = byMac.get(mac);
        if (old != null && !old.equals(address)) {
            written.add(new Lease(old, Optional.empty(), 0));
        }
        written.add(new Lease(address, Optional.of(mac), until));
        written.forEach(this::apply);
        return written;
    }

    /** The client chose another server's offer, or took back its own (RFC 2131 §4.3.2, SELECTING). */
    void withdraw(MacAddress mac) {
        offers.values().removeIf(o -> o.mac().equals(mac));
    }

    /** A RELEASE: the address is free, the MAC stays its last holder; empty when it was not the MAC's. */
    Optional<Lease> release(MacAddress mac, Inet4Address address, long now) {
        Lease current = byAddress.get(address);
        if (current == null || !current.heldBy(mac, now)) {
            return Optional.empty();
        }
        Lease released = new Lease(address, Optional.of(mac), now);
        apply(released);
        return Optional.of(released);
    }

    /** A DECLINE, or a probe that found the address in use: nobody gets it until {@code until}. */
    Lease quarantine(Inet4Address address, long until) {
        offers.remove(address);
        Lease lease = new Lease(address, Optional.empty(), until);
        apply(lease);
        return lease;
    }

    /** Whether nobody else holds, is offered or has quarantined the address now. */
    private boolean free(Inet4Address address, MacAddress mac, long now) {
        Lease record = byAddress.get(address);
        if (record != null && record.busy(now) && !record.heldBy(mac, now)) {
            return false;
        }
        Offer offer = offers.get(address);
        return offer == null || offer.until() <= now || offer.mac().equals(mac);
    }

    private boolean usable(Inet4Address address, MacAddress mac, AddressPool pool,
                           Predicate<Inet4Address> reservedForOther, long now) {
        return pool.inRange(address) && pool.hostAddress(address) && !reservedForOther.test(address)
                && free(address, mac, now);
    }

    /** Whether the MAC holds, held or was offered the address: no probe needed, no INIT-REBOOT silence. */
    private boolean known(MacAddress mac, Inet4Address address) {
        Lease record = byAddress.get(address);
        Offer offer = offers.get(address);
        return record != null && record.holder().filter(mac::equals).isPresent()
                || offer != null && offer.mac().equals(mac);
    }
}
