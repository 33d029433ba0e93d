package org.bootferry.dhcp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.bootferry.machine.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ARP probe done by the kernel, without privileges: a one-byte UDP datagram to the address's
 * discard port (9) makes Linux resolve the address on the link (arp(7)); a host that has the address
 * answers that ARP request whatever it runs, and the kernel's neighbour table then holds its MAC.
 * If the table has a complete entry for the address after {@link #WAIT_MILLIS}, it is in use.
 *
 * <p>Why not the others: an ICMP echo needs a raw socket (CAP_NET_RAW, which the systemd unit drops)
 * or a ping socket Java can't open, and {@code InetAddress.isReachable} without them falls back to a
 * TCP connection to port 7 that a firewalled host never answers; a true ARP probe (RFC 5227) needs a
 * packet socket. A host that is down, or drops ARP, is not found by any of these: the client's own
 * check and its DECLINE (RFC 2131 §2.2, §3.1 step 5) cover that, and a DECLINE quarantines the address.
 * Only addresses on a link of ours can be probed this way: relayed pools are not probed.
 */
public final class ArpProbe implements AddressProbe, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ArpProbe.class);
    /** A host on the link answers ARP within a millisecond or two; the kernel's first retry is at 1 s. */
    static final long WAIT_MILLIS = 200;
    private static final int DISCARD_PORT = 9;

    private final Function<InetAddress, Optional<MacAddress>> neighbours;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bootferry-arp-probe");
        t.setDaemon(true);
        return t;
    });
    private final DatagramChannel socket;

    /** @param neighbours the kernel's neighbour table: the MAC it has for an address, if complete */
    public ArpProbe(Function<InetAddress, Optional<MacAddress>> neighbours) throws IOException {
        this.neighbours = neighbours;
        this.socket = DatagramChannel.open();
        socket.configureBlocking(false);
    }

    @Override
    public CompletableFuture<Boolean> inUse(Inet4Address address, MacAddress client) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        if (someoneElse(address, client)) {
            answer.complete(true);
            return answer;
        }
        try {
            socket.send(ByteBuffer.allocate(1), new InetSocketAddress(address, DISCARD_PORT));
        } catch (IOException e) {
            log.debug("probe of {}: {}", address.getHostAddress(), e.toString());
        }
        timer.schedule(() -> answer.complete(someoneElse(address, client)), WAIT_MILLIS, TimeUnit.MILLISECONDS);
        return answer;
    }

    /** The neighbour table has a complete entry for {@code address}, under another MAC than the client's. */
    private boolean someoneElse(Inet4Address address, MacAddress client) {
        return neighbours.apply(address).filter(mac -> !mac.equals(client)).isPresent();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing the probe socket: {}", e.toString());
        }
    }
}
