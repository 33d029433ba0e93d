package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bootferry.machine.MacAddress;

/**
 * A DHCP message (RFC 2131 §2, Figure 1), decoded: the fixed BOOTP header and the options in wire
 * order. When option 52 (overload) moved options into {@code file}/{@code sname}, those options are
 * in {@link #options()} and the two fields read as empty.
 *
 * @param op      1 BOOTREQUEST, 2 BOOTREPLY
 * @param htype   hardware type, 1 for Ethernet
 * @param hlen    hardware address length, 6 for Ethernet
 * @param hops    relay hops
 * @param xid     transaction id chosen by the client
 * @param secs    seconds since the client began
 * @param flags   bit 15 is the broadcast flag
 * @param chaddr  the 16-byte client hardware address field
 * @param sname   server host name (up to 63 characters)
 * @param file    boot file name (up to 127 characters)
 * @param options options in order, without PAD and END
 */
public record DhcpMessage(
        int op, int htype, int hlen, int hops, int xid, int secs, int flags,
        Inet4Address ciaddr, Inet4Address yiaddr, Inet4Address siaddr, Inet4Address giaddr,
        byte[] chaddr, String sname, String file, List<DhcpOption> options) {

    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    public static final int HTYPE_ETHERNET = 1;
    public static final Inet4Address ZERO = ipv4(new byte[4]);

    public DhcpMessage {
        Objects.requireNonNull(ciaddr);
        Objects.requireNonNull(yiaddr);
        Objects.requireNonNull(siaddr);
        Objects.requireNonNull(giaddr);
        if (chaddr.length != 16) {
            throw new IllegalArgumentException("chaddr must be the 16-byte field, got " + chaddr.length);
        }
        chaddr = chaddr.clone();
        options = List.copyOf(options);
    }

    @Override
    public byte[] chaddr() {
        return chaddr.clone();
    }

    /** The client's MAC: the first six bytes of chaddr (the codec accepts only Ethernet). */
    public MacAddress mac() {
        return MacAddress.of(chaddr, 0);
    }

    /** The first option with this code (the codec already joined split instances, RFC 3396). */
    public Optional<DhcpOption> option(int code) {
        for (DhcpOption o : options) {
            if (o.code() == code) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /** Option 53; empty for BOOTP or an unknown type. */
    public Optional<DhcpMessageType> messageType() {
        return option(DhcpOptionCode.MESSAGE_TYPE)
                .filter(o -> o.length() == 1)
                .flatMap(o -> DhcpMessageType.of(o.value()[0] & 0xFF));
    }

    static Inet4Address ipv4(byte[] four) {
        try {
            return (Inet4Address) InetAddress.getByAddress(four);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IPv4 address has 4 bytes, got " + four.length, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpMessage m && op == m.op && htype == m.htype && hlen == m.hlen && hops == m.hops
                && xid == m.xid && secs == m.secs && flags == m.flags && ciaddr.equals(m.ciaddr)
                && yiaddr.equals(m.yiaddr) && siaddr.equals(m.siaddr) && giaddr.equals(m.giaddr)
                && Arrays.equals(chaddr, m.chaddr) && sname.equals(m.sname) && file.equals(m.file)
                && options.equals(m.options);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, xid, Arrays.hashCode(chaddr), options);
    }

    @Override
    public String toString() {
        return "DhcpMessage[op=" + op + " xid=" + Integer.toHexString(xid) + " chaddr=" + mac()
                + " ciaddr=" + ciaddr.getHostAddress() + " yiaddr=" + yiaddr.getHostAddress()
                + " siaddr=" + siaddr.getHostAddress() + " giaddr=" + giaddr.getHostAddress()
                + " file=" + file + " options=" + options + "]";
    }
}
