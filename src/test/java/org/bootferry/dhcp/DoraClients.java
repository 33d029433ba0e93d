package org.bootferry.dhcp;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.machine.MacAddress;

/**
 * Many DHCP clients on one segment, for tests inside a network namespace: they share the client port,
 * as real clients share the segment, and answers are matched to clients by xid. Prints one line per
 * outcome and flushes it, so a test reading along knows what was acknowledged before it kills the server.
 * <ul>
 *   <li>{@code dora N FIRST_MAC_INDEX WINDOW [REJECT]}: N clients do DISCOVER, OFFER, REQUEST, ACK, at most
 *       WINDOW at once; prints {@code ACK mac ip} for each ACK. Each takes the first OFFER, except one whose
 *       server identifier is REJECT: dhclient.conf's {@code reject}, for a test that shares the link with
 *       another server but means its clients to be ours</li>
 *   <li>{@code reboot FILE}: for each {@code ACK mac ip} line of FILE, an INIT-REBOOT REQUEST for that
 *       address (RFC 2131 §3.2); prints {@code ACK mac ip}, {@code NAK mac} or {@code SILENT mac}</li>
 * </ul>
 * A client unanswered sends its message again after {@link #WAIT_MILLIS}, as RFC 2131 §4.1 has clients
 * retransmit, and gives up after {@link #TRIES} tries: the server may have been killed. Once one has
 * given up, {@code dora} starts no more clients and ends when those under way have their answer or
 * give up too, so a burst cut short by a killed server ends a few seconds later instead of waiting out
 * every remaining client. Each retransmission prints {@code AGAIN mac}, so a test sees how many there were.
 */
public final class DoraClients {

    private static final int WAIT_MILLIS = 3000;
    private static final int TRIES = 3;
    private static final InetSocketAddress SERVER = new InetSocketAddress("255.255.255.255", 67);

    private final DatagramSocket socket;
    private int xid = (int) (System.nanoTime() & 0x0fffffff);

    private DoraClients() throws Exception {
        socket = new DatagramSocket(null);
        socket.setReuseAddress(true);
        socket.setBroadcast(true);
        socket.setReceiveBufferSize(4 << 20);
        socket.bind(new InetSocketAddress(DhcpSettings.CLIENT_PORT));
    }

    public static void main(String[] args) throws Exception {
        DoraClients clients = new DoraClients();
        if (args[0].equals("dora")) {
            Optional<Inet4Address> reject = args.length > 4 ? Optional.of((Inet4Address) InetAddress.getByName(args[4]))
                    : Optional.empty();
            clients.dora(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), reject);
        } else {
            clients.reboot(Files.readAllLines(Path.of(args[1])));
        }
    }

    /** A client's state: the MAC, and the address offered once an OFFER came. */
    private static final class Client {
        final MacAddress mac;
        Inet4Address offered;
        Inet4Address server;
        DhcpMessage sent;
        int tries = 1;
        long since = System.currentTimeMillis();

        Client(MacAddress mac) {
            this.mac = mac;
        }
    }

    private void dora(int n, int first, int window, Optional<Inet4Address> reject) throws Exception {
        Map<Integer, Client> waiting = new HashMap<>();
        int next = 0;
        boolean serverGone = false;
        while ((next < n && !serverGone) || !waiting.isEmpty()) {
            while (next < n && !serverGone && waiting.size() < window) {
                Client c = new Client(mac(first + next++));
                int id = xid++;
                waiting.put(id, c);
                c.sent = message(c.mac, id, DhcpMessageType.DISCOVER, List.of());
                send(c.sent);
            }
            DhcpMessage answer = receive(200);
            long now = System.currentTimeMillis();
            serverGone |= waiting.values().removeIf(c -> now - c.since > WAIT_MILLIS && c.tries >= TRIES);
            for (Client c : waiting.values()) {
                if (now - c.since > WAIT_MILLIS) {
                    System.out.println("AGAIN " + c.mac);
                    c.tries++;
                    c.since = now;
                    send(c.sent);
                }
            }
            if (answer == null) {
                continue;
            }
            Client c = waiting.get(answer.xid());
            if (c == null || !answer.mac().equals(c.mac)) {
                continue;
            }
            DhcpMessageType type = answer.messageType().orElseThrow();
            if (type == DhcpMessageType.OFFER && c.offered == null) {
                Inet4Address server = DhcpMessage.ipv4(answer.option(DhcpOptionCode.SERVER_IDENTIFIER).orElseThrow().value());
                if (reject.filter(server::equals).isPresent()) {
                    continue;
                }
                c.offered = answer.yiaddr();
                c.server = server;
                c.since = now;
                c.tries = 1;
                c.sent = message(c.mac, answer.xid(), DhcpMessageType.REQUEST, List.of(
                        new DhcpOption(DhcpOptionCode.REQUESTED_ADDRESS, c.offered.getAddress()),
                        new DhcpOption(DhcpOptionCode.SERVER_IDENTIFIER, c.server.getAddress())));
                send(c.sent);
            } else if (type == DhcpMessageType.ACK) {
                System.out.println("ACK " + c.mac + " " + answer.yiaddr().getHostAddress());
                waiting.remove(answer.xid());
            } else if (type == DhcpMessageType.NAK) {
                System.out.println("NAK " + c.mac);
                waiting.remove(answer.xid());
            }
        }
    }

    private void reboot(List<String> lines) throws Exception {
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length != 3 || !f[0].equals("ACK")) {
                continue;
            }
            MacAddress mac = MacAddress.parse(f[1]);
            int id = xid++;
            send(message(mac, id, DhcpMessageType.REQUEST, List.of(new DhcpOption(DhcpOptionCode.REQUESTED_ADDRESS,
                    InetAddress.getByName(f[2]).getAddress()))));
            long until = System.currentTimeMillis() + WAIT_MILLIS;
            String outcome = "SILENT " + mac;
            while (System.currentTimeMillis() < until) {
                DhcpMessage answer = receive((int) Math.max(1, until - System.currentTimeMillis()));
                if (answer != null && answer.xid() == id) {
                    DhcpMessageType type = answer.messageType().orElseThrow();
                    outcome = type == DhcpMessageType.ACK ? "ACK " + mac + " " + answer.yiaddr().getHostAddress()
                            : type + " " + mac;
                    break;
                }
            }
            System.out.println(outcome);
        }
    }

    private DhcpMessage receive(int millis) throws Exception {
        byte[] buffer = new byte[1500];
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        socket.setSoTimeout(millis);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        try {
            DhcpMessage m = DhcpCodec.decode(Arrays.copyOf(p.getData(), p.getLength()));
            return m.op() == DhcpMessage.BOOTREPLY ? m : null;
        } catch (MalformedDhcpException e) {
            return null;
        }
    }

    private void send(DhcpMessage m) throws Exception {
        byte[] bytes = DhcpCodec.encode(m);
        socket.send(new DatagramPacket(bytes, bytes.length, SERVER));
    }

    static MacAddress mac(int i) {
        return MacAddress.parse(String.format("52:54:01:%02x:%02x:%02x", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff));
    }

    private static DhcpMessage message(MacAddress mac, int id, DhcpMessageType type, List<DhcpOption> more) {
        byte[] chaddr = new byte[16];
        System.arraycopy(java.util.HexFormat.of().parseHex(mac.toString().replace(":", "")), 0, chaddr, 0, 6);
        List<DhcpOption> options = new ArrayList<>();
        options.add(new DhcpOption(DhcpOptionCode.MESSAGE_TYPE, new byte[] {(byte) type.code()}));
        options.addAll(more);
        return new DhcpMessage(DhcpMessage.BOOTREQUEST, 1, 6, 0, id, 0, 0x8000, DhcpMessage.ZERO, DhcpMessage.ZERO,
                DhcpMessage.ZERO, DhcpMessage.ZERO, chaddr, "", "", options);
    }
}
