package org.bootferry.lang;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * IPv4 addresses as unsigned 32-bit numbers, so that ranges and networks are arithmetic: the form
 * config checks reservations in and the DHCP server allocates in. Only dotted-quad literals are
 * parsed: a host name would make a config load depend on DNS.
 */
public final class Ipv4 {

    private static final String DOTTED_QUAD = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}";

    private Ipv4() {
    }

    /** A dotted-quad literal ({@code 10.20.0.1}); empty for anything else. */
    public static Optional<Inet4Address> parse(String text) {
        if (text == null || !text.strip().matches(DOTTED_QUAD)) {
            return Optional.empty();
        }
        try {
            return Optional.of((Inet4Address) InetAddress.getByName(text.strip()));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    public static int toInt(Inet4Address address) {
        byte[] b = address.getAddress();
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    /** The address as a number from 0 to 2^32 - 1, for counting through a range without wrapping. */
    public static long toUnsigned(Inet4Address address) {
        return Integer.toUnsignedLong(toInt(address));
    }

    public static Inet4Address of(int address) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {
                (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    /** The netmask of a prefix length: 24 → 255.255.255.0. */
    public static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** The prefix length of a netmask, empty when its ones are not contiguous (255.0.255.0). */
    public static Optional<Integer> prefixOf(Inet4Address netmask) {
        int m = toInt(netmask);
        int prefix = Integer.bitCount(m);
        return mask(prefix) == m ? Optional.of(prefix) : Optional.empty();
    }

    /**
     * A network: its address with the host bits zero, and its prefix length.
     *
     * @param base   the network address as a number
     * @param prefix 0–32
     */
    public record Network(int base, int prefix) {

        public Network {
            if (prefix < 0 || prefix > 32) {
                throw new IllegalArgumentException("an IPv4 prefix is 0-32, got " + prefix);
            }
            base &= mask(prefix);
        }

        public static Network of(Inet4Address address, int prefix) {
            return new Network(toInt(address), prefix);
        }

        /** {@code 10.21.0.0/24}; empty for anything else, including host bits set (10.21.0.5/24). */
        public static Optional<Network> parse(String text) {
            int slash = text == null ? -1 : text.indexOf('/');
            if (slash < 0 || !text.substring(slash + 1).matches("\\d{1,2}")) {
                return Optional.empty();
            }
            int prefix = Integer.parseInt(text.substring(slash + 1));
            Optional<Inet4Address> address = Ipv4.parse(text.substring(0, slash));
            if (address.isEmpty() || prefix > 32 || (toInt(address.get()) & ~mask(prefix)) != 0) {
                return Optional.empty();
            }
            return Optional.of(of(address.get(), prefix));
        }

        public boolean contains(Inet4Address address) {
            return (toInt(address) & mask(prefix)) == base;
        }

        public Inet4Address netmask() {
            return Ipv4.of(mask(prefix));
        }

        public Inet4Address broadcast() {
            return Ipv4.of(base | ~mask(prefix));
        }

        @Override
        public String toString() {
            return Ipv4.of(base).getHostAddress() + "/" + prefix;
        }
    }
}
