package org.bootferry.dhcp6;

import java.net.Inet6Address;
import java.util.HexFormat;
import java.util.Optional;
import org.bootferry.lang.AddressText;
import org.bootferry.lang.Ipv6;
import org.bootferry.lang.RecordJournal;
import org.bootferry.machine.MacAddress;

/**
 * What DHCPv6 server mode knows of one address: who holds it and until when. As DHCPv4's lease, one
 * record covers every state: bound (a holder, expiring in the future), free again (a holder, expired:
 * the holder gets it back first) and declined (no holder, until the quarantine ends, RFC 8415 §18.3.8).
 *
 * @param expires epoch milliseconds
 */
public record Lease6(Inet6Address address, Optional<Holder> holder, long expires) {

    /**
     * The client an address is bound to: its DUID and the IAID of the IA_NA (RFC 8415 §12.1: a
     * binding is per DUID and IA), and the MAC it was known by, if any.
     */
    public record Holder(Duid duid, long iaid, Optional<MacAddress> mac) {

        /** Whether {@code other} is the same client's same IA. */
        public boolean sameIa(Holder other) {
            return duid.equals(other.duid) && iaid == other.iaid;
        }
    }

    public Lease6 {
        address = Ipv6.of(Ipv6.toNumber(address)); // no zone: records compare by their 16 bytes
    }

    public boolean heldBy(Holder client, long now) {
        return expires > now && holder.filter(client::sameIa).isPresent();
    }

    /** Bound or quarantined: not to be handed to anyone else now. */
    public boolean busy(long now) {
        return expires > now;
    }

    /**
     * A record as a journal line: {@code address duid iaid mac expires}, the DUID in hex as
     * {@code duid:} writes it, {@code -} for what a quarantine has not.
     */
    public static final RecordJournal.Format<Lease6> FORMAT = new RecordJournal.Format<>() {
        @Override
        public String key(Lease6 lease) {
            return AddressText.of(lease.address());
        }

        @Override
        public String text(Lease6 lease) {
            String holder = lease.holder().map(h -> BootOnly6.hex(h.duid()) + " " + h.iaid() + " "
                    + h.mac().map(MacAddress::toString).orElse("-")).orElse("- - -");
            return AddressText.of(lease.address()) + " " + holder + " " + lease.expires();
        }

        @Override
        public Optional<Lease6> parse(String text) {
            String[] f = text.split(" ");
            Optional<Inet6Address> address = f.length == 5 ? Ipv6.parse(f[0]) : Optional.empty();
            if (address.isEmpty()) {
                return Optional.empty();
            }
            Optional<Holder> holder = Optional.empty();
            if (!f[1].equals("-")) {
                Optional<MacAddress> mac = f[3].equals("-") ? Optional.empty() : Optional.of(MacAddress.parse(f[3]));
                try {
                    holder = Optional.of(new Holder(Dhcp6Codec.decodeDuid(HexFormat.of().parseHex(f[1])),
                            Long.parseLong(f[2]), mac));
                } catch (MalformedDhcp6Exception e) {
                    return Optional.empty();
                }
            }
            return Optional.of(new Lease6(address.get(), holder, Long.parseLong(f[4])));
        }
    };
}
