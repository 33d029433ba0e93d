package org.bootferry.storm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.bootferry.dhcp.DhcpCodec;
import org.bootferry.dhcp.DhcpMessage;
import org.bootferry.dhcp.DhcpMessageType;
import org.bootferry.dhcp.MalformedDhcpException;
import org.bootferry.machine.MacAddress;

/**
 * The DHCP side of many simulated PXE ROMs at once. A client without an address hears answers on
 * port 68 as broadcasts, so all clients share one socket there (as they share the segment) and
 * answers are matched to their client by transaction id; the 4011 exchange is unicast and answered
 * at its source port, also shared. Messages are EDK2's captured DISCOVER and 4011 REQUEST with each
 * client's own MAC and xid.
 *
 * <p>On a routed network a DISCOVER's broadcast never reaches the server: the router's relay agent
 * (RFC 1542 §4.1, "ip helper-address") forwards it by unicast with its own address in giaddr, and the
 * server answers that address on port 67 (RFC 2131 §4.1). With a {@code relay} address this class
 * plays that relay for all its clients: DISCOVERs leave from relay:67 with giaddr set, answers come
 * back there.
 */
final class DhcpClients implements AutoCloseable {

    /** PXE 2.1 §2.2.1, EDK2's mPxeDhcpTimeout: a ROM waits 4, 8, 16 and 32 s for answers to its DISCOVER. */
    private static final int[] DISCOVER_WAITS = {4, 8, 16, 32};
    /** EDK2's boot server REQUEST (PXEBC_BOOT_REQUEST_TIMEOUT × try, PXEBC_BOOT_REQUEST_RETRIES): 1, 2, 3, 4 s. */
    private static final int[] REQUEST_WAITS = {1, 2, 3, 4};
    private static final int CLIENT_PORT = 68;
    private static final int RELAY_PORT = 67;

    private final DhcpMessage discover = capture("e2e-edk2-x64-discover.bin");
    private final DhcpMessage request = capture("e2e-edk2-x64-request-4011.bin");
    private final InetSocketAddress dhcpServer;
    private final InetSocketAddress pxeServer;
    private final Inet4Address giaddr;
    private final DatagramSocket broadcast;
    private final DatagramSocket unicast;
    private final Map<Integer, CompletableFuture<byte[]>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger xids = new AtomicInteger(0x5700_0000);

    /**
     * @param local the clients' own address (the 4011 REQUEST's ciaddr and source)
     * @param relay relay agent mode: DISCOVERs relayed from {@code local}:67 (a routed network); else
     *              broadcast-domain mode, answers heard on :68 (clients on the server's segment)
     */
    DhcpClients(InetAddress server, int dhcpPort, int pxePort, Inet4Address local, boolean relay) throws SocketException {
        dhcpServer = new InetSocketAddress(server, dhcpPort);
        pxeServer = new InetSocketAddress(server, pxePort);
        giaddr = relay ? local : DhcpMessage.ZERO;
        broadcast = new DatagramSocket(null);
        broadcast.setReuseAddress(true);
        broadcast.setBroadcast(true);
        broadcast.setReceiveBufferSize(8 << 20);
        broadcast.bind(relay ? new InetSocketAddress(local, RELAY_PORT) : new InetSocketAddress(CLIENT_PORT));
        unicast = new DatagramSocket(new InetSocketAddress(local, 0));
        unicast.setReceiveBufferSize(8 << 20);
        receiveOn(broadcast);
        receiveOn(unicast);
    }

    /** DISCOVER → OFFER from the server (an OFFER without a boot server is a failure). */
    DhcpMessage discover(MacAddress mac) throws StageFailure, InterruptedException {
        DhcpMessage offer = exchange(broadcast, dhcpServer, DISCOVER_WAITS,
                xid -> withClient(discover, mac, xid, DhcpMessage.ZERO, giaddr));
        if (offer.messageType().orElse(null) != DhcpMessageType.OFFER || offer.siaddr().equals(DhcpMessage.ZERO)) {
            throw new StageFailure("expected an OFFER with a next-server, got " + offer.messageType() + " siaddr " + offer.siaddr());
        }
        return offer;
    }

    /** The 4011 REQUEST → ACK, which names the boot file. */
    DhcpMessage request(MacAddress mac) throws StageFailure, InterruptedException {
        Inet4Address ciaddr = (Inet4Address) unicast.getLocalAddress();
        DhcpMessage ack = exchange(unicast, pxeServer, REQUEST_WAITS,
                xid -> withClient(request, mac, xid, ciaddr, DhcpMessage.ZERO));
        if (ack.messageType().orElse(null) != DhcpMessageType.ACK || ack.file().isEmpty()) {
            throw new StageFailure("expected an ACK with a boot file, got " + ack.messageType() + " file '" + ack.file() + "'");
        }
        return ack;
    }

    private interface Build {
        DhcpMessage message(int xid);
    }

    private DhcpMessage exchange(DatagramSocket socket, InetSocketAddress to, int[] waits, Build build)
            throws StageFailure, InterruptedException {
        int xid = xids.incrementAndGet();
        byte[] datagram = DhcpCodec.encode(build.message(xid));
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        waiting.put(xid, answer);
        try {
            for (int wait : waits) {
                socket.send(new DatagramPacket(datagram, datagram.length, to));
                try {
                    return DhcpCodec.decode(answer.get(wait, TimeUnit.SECONDS));
                } catch (TimeoutException e) {
                    // the ROM's retransmission: same xid
                }
            }
            throw new StageFailure("no answer to " + waits.length + " tries (" + Arrays.toString(waits) + " s) from " + to);
        } catch (IOException e) {
            throw new StageFailure("send to " + to + ": " + e);
        } catch (MalformedDhcpException e) {
            throw new StageFailure("malformed answer from " + to + ": " + e.getMessage());
        } catch (ExecutionException e) {
            throw new StageFailure(e.getCause().toString());
        } finally {
            waiting.remove(xid);
        }
    }

    private static DhcpMessage withClient(DhcpMessage m, MacAddress mac, int xid, Inet4Address ciaddr,
            Inet4Address giaddr) {
        byte[] chaddr = Arrays.copyOf(mac.toBytes(), 16);
        // RFC 1542 §4.1.1: a relay that fills in giaddr counts itself in hops.
        int hops = giaddr.equals(DhcpMessage.ZERO) ? m.hops() : m.hops() + 1;
        return new DhcpMessage(m.op(), m.htype(), m.hlen(), hops, xid, m.secs(), m.flags(), ciaddr, m.yiaddr(),
                m.siaddr(), giaddr, chaddr, m.sname(), m.file(), m.options());
    }

    /**
     * Hands each reply to the client whose xid it carries, and does nothing else: a thousand
     * OFFERs arrive at once and the socket's buffer (net.core.rmem_max) holds about a hundred.
     */
    private void receiveOn(DatagramSocket socket) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            while (!socket.isClosed()) {
                try {
                    p.setLength(buf.length);
                    socket.receive(p);
                    if (p.getLength() < DhcpCodec.MIN_LENGTH || buf[0] != DhcpMessage.BOOTREPLY) {
                        continue;
                    }
                    int xid = ((buf[4] & 0xFF) << 24) | ((buf[5] & 0xFF) << 16) | ((buf[6] & 0xFF) << 8) | (buf[7] & 0xFF);
                    CompletableFuture<byte[]> f = waiting.get(xid);
                    if (f != null) {
                        f.complete(Arrays.copyOf(buf, p.getLength()));  // lo delivers a broadcast twice: the second completes nothing
                    }
                } catch (IOException e) {
                    if (!socket.isClosed()) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }, "dhcp-clients-" + socket.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    private static DhcpMessage capture(String name) {
        try (InputStream in = DhcpClients.class.getResourceAsStream("/captures/dhcp/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture captures/dhcp/" + name);
            }
            return DhcpCodec.decode(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MalformedDhcpException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        broadcast.close();
        unicast.close();
    }
}
