package org.bootferry.tftp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The largest TFTP block that reaches a client without IP fragmentation: the MTU of the interface
 * the route to the client leaves by, minus IP and UDP headers and the 4-byte DATA header. Lost
 * fragments cost a whole block, and many PXE ROMs do not reassemble at all (RFC 2348 leaves the
 * limit to the server).
 *
 * <p>Netty exposes no IP_PKTINFO, so the interface a request came in on is taken to be the one the
 * kernel routes the answer out of: a connected UDP socket's local address names it without sending
 * anything. MTUs are cached per local address for a minute.
 */
final class PathMtu {

    private static final long TTL_NANOS = 60_000_000_000L;

    private record Entry(int limit, long expires) {
    }

    private final Map<InetAddress, Entry> byLocalAddress = new ConcurrentHashMap<>();

    /** The block limit towards {@code client}; {@link TftpSettings#MAX_BLOCK_SIZE} if unknown. */
    int blockLimit(InetSocketAddress client) {
        InetAddress local;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.connect(client);
            local = ((InetSocketAddress) probe.getLocalAddress()).getAddress();
        } catch (IOException e) {
            return TftpSettings.MAX_BLOCK_SIZE;
        }
        long now = System.nanoTime();
        Entry entry = byLocalAddress.get(local);
        if (entry == null || now - entry.expires() > 0) {
            entry = new Entry(lookup(local), now + TTL_NANOS);
            byLocalAddress.put(local, entry);
        }
        return entry.limit();
    }

    private static int lookup(InetAddress local) {
        try {
            NetworkInterface nic = NetworkInterface.getByInetAddress(local);
            if (nic == null || nic.getMTU() <= 0) {
                return TftpSettings.MAX_BLOCK_SIZE;
            }
            // IPv4 header 20, IPv6 header 40, UDP 8, TFTP DATA header 4.
            int headers = (local instanceof Inet6Address ? 40 : 20) + 8 + TftpCodec.DATA_HEADER_LENGTH;
            return Math.min(TftpSettings.MAX_BLOCK_SIZE, nic.getMTU() - headers);
        } catch (IOException e) {
            return TftpSettings.MAX_BLOCK_SIZE;
        }
    }
}
