package org.bootferry.lang;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** IPv6 addresses as numbers (for ranges) and networks, parsed from text without any name lookup. */
public final class Ipv6 {

    private static final BigInteger ALL_ONES = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    private Ipv6() {
    }

    /** An IPv6 literal (RFC 4291 §2.2) without zone; an IPv4 address or a name is empty, never looked up. */
    public static Optional<Inet6Address> parse(String text) {
        if (text == null || !text.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            return Optional.empty();
        }
        try {
            InetAddress a = InetAddress.getByName(text);
            return a instanceof Inet6Address six ? Optional.of(six) : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    public static BigInteger toNumber(Inet6Address address) {
        return new BigInteger(1, address.getAddress());
    }

    /** The address whose number is {@code n} (0 to 2^128-1). */
    public static Inet6Address of(BigInteger n) {
        if (n.signum() < 0 || n.compareTo(ALL_ONES) > 0) {
            throw new IllegalArgumentException(n + " is not a 128-bit number");
        }
        byte[] raw = n.toByteArray();
        byte[] bytes = new byte[16];
        int copy = Math.min(raw.length, 16);
        System.arraycopy(raw, raw.length - copy, bytes, 16 - copy, copy);
        try {
            return (Inet6Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    /** A prefix such as {@code fd42::/64}: its first address (host bits zero) and length. */
    public record Network(Inet6Address base, int prefix) {

        public Network {
            if (prefix < 0 || prefix > 128) {
                throw new IllegalArgumentException("prefix length " + prefix + " is outside 0..128");
            }
            if (!toNumber(base).and(hostMask(prefix)).equals(BigInteger.ZERO)) {
                throw new IllegalArgumentException(AddressText.of(base) + "/" + prefix + " has host bits set");
            }
        }

        /** {@code address/length} with host bits zero; empty for anything else. */
        public static Optional<Network> parse(String text) {
            int slash = text == null ? -1 : text.indexOf('/');
            if (slash < 0 || !text.substring(slash + 1).matches("[0-9]{1,3}")) {
                return Optional.empty();
            }
            int prefix = Integer.parseInt(text.substring(slash + 1));
            Optional<Inet6Address> base = Ipv6.parse(text.substring(0, slash));
            if (base.isEmpty() || prefix > 128 || !toNumber(base.get()).and(hostMask(prefix)).equals(BigInteger.ZERO)) {
                return Optional.empty();
            }
            return Optional.of(new Network(base.get(), prefix));
        }

        public boolean contains(Inet6Address address) {
            return toNumber(address).andNot(hostMask(prefix)).equals(toNumber(base));
        }

        private static BigInteger hostMask(int prefix) {
            return BigInteger.ONE.shiftLeft(128 - prefix).subtract(BigInteger.ONE);
        }

        @Override
        public String toString() {
            return AddressText.of(base) + "/" + prefix;
        }
    }
}
