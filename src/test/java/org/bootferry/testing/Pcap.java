package org.bootferry.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the UDP/IPv4 datagrams of a classic pcap file as tcpdump -w writes it, so tests can look at
 * what real clients and servers put on the wire and keep real packets as codec fixtures.
 * Only what we capture is understood: Ethernet (optionally one 802.1Q tag) or Linux cooked frames,
 * unfragmented IPv4, UDP; everything else is skipped.
 */
public final class Pcap {

    // pcap file format: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html
    private static final int MAGIC_MICROS = 0xa1b2c3d4;
    private static final int MAGIC_NANOS = 0xa1b23c4d;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_LINUX_SLL = 113;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int IPPROTO_UDP = 17;

    private Pcap() {
    }

    /** One captured UDP datagram; {@code seconds} is the capture timestamp. */
    public record Datagram(double seconds, InetSocketAddress source, InetSocketAddress destination, byte[] payload) {
        public int sourcePort() {
            return source.getPort();
        }

        public int destinationPort() {
            return destination.getPort();
        }

        @Override
        public String toString() {
            return String.format("%.3f %s -> %s (%d bytes)", seconds, source, destination, payload.length);
        }
    }

    public static List<Datagram> udp(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        if (in.remaining() < 24) {
            throw new IOException(file + ": not a pcap file (" + in.remaining() + " bytes)");
        }
        in.order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt(0);
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
            in.order(ByteOrder.BIG_ENDIAN);
            magic = in.getInt(0);
        }
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
            throw new IOException(file + ": not a classic pcap file (magic " + Integer.toHexString(magic) + ")");
        }
        double fraction = magic == MAGIC_NANOS ? 1e9 : 1e6;
        int linkType = in.getInt(20);
        List<Datagram> out = new ArrayList<>();
        int at = 24;
        while (at + 16 <= in.limit()) {
            long secs = Integer.toUnsignedLong(in.getInt(at));
            long frac = Integer.toUnsignedLong(in.getInt(at + 4));
            int captured = in.getInt(at + 8);
            int start = at + 16;
            if (captured < 0 || start + captured > in.limit()) {
                break; // tcpdump was killed mid-write: the last record is cut short
            }
            byte[] frame = Arrays.copyOfRange(in.array(), start, start + captured);
            Datagram d = datagram(secs + frac / fraction, linkType, frame);
            if (d != null) {
                out.add(d);
            }
            at = start + captured;
        }
        return out;
    }

    private static Datagram datagram(double seconds, int linkType, byte[] frame) {
        ByteBuffer f = ByteBuffer.wrap(frame); // network byte order
        int ip;
        if (linkType == LINKTYPE_ETHERNET) {
            if (frame.length < 14) {
                return null;
            }
            int etherType = f.getShort(12) & 0xffff;
            ip = 14;
            if (etherType == ETHERTYPE_VLAN && frame.length >= 18) {
                etherType = f.getShort(16) & 0xffff;
                ip = 18;
            }
            if (etherType != ETHERTYPE_IPV4) {
                return null;
            }
        } else if (linkType == LINKTYPE_LINUX_SLL) {
            if (frame.length < 16 || (f.getShort(14) & 0xffff) != ETHERTYPE_IPV4) {
                return null;
            }
            ip = 16;
        } else {
            return null;
        }
        if (frame.length < ip + 20 || (frame[ip] >> 4) != 4 || (frame[ip + 9] & 0xff) != IPPROTO_UDP) {
            return null;
        }
        int headerLength = (frame[ip] & 0x0f) * 4;
        int totalLength = f.getShort(ip + 2) & 0xffff;
        boolean fragment = (f.getShort(ip + 6) & 0x3fff) != 0; // MF flag or an offset
        int udp = ip + headerLength;
        if (fragment || frame.length < udp + 8 || ip + totalLength > frame.length) {
            return null;
        }
        int udpLength = f.getShort(udp + 4) & 0xffff;
        if (udpLength < 8 || udp + udpLength > ip + totalLength) {
            return null;
        }
        return new Datagram(seconds,
                new InetSocketAddress(address(frame, ip + 12), f.getShort(udp) & 0xffff),
                new InetSocketAddress(address(frame, ip + 16), f.getShort(udp + 2) & 0xffff),
                Arrays.copyOfRange(frame, udp + 8, udp + udpLength));
    }

    private static InetAddress address(byte[] frame, int at) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(frame, at, at + 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }
}
