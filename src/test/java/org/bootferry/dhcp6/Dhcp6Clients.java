package org.bootferry.dhcp6;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bootferry.lang.AddressText;
import org.bootferry.lang.Ipv6;
import org.bootferry.machine.MacAddress;

/**
 * Many DHCPv6 clients behind one relay agent, for tests inside a network namespace: each message goes
 * in a RELAY-FORW (RFC 8415 §9) from this host to the server's address, the client's link-address in
 * the pool's prefix and its peer-address the EUI-64 link-local address of its MAC, so the server
 * knows the MAC. Prints one line per outcome and flushes it, so a test reading along knows what was
 * acknowledged before it kills the server.
 * <ul>
 *   <li>{@code bind SERVER LINK N THREADS FIRST}: N clients from index FIRST (DUID-LL of MAC 02:00:00:00:hi:lo, IAID 1) do
 *       SOLICIT, ADVERTISE, REQUEST, REPLY, THREADS at once; prints {@code BOUND mac address serverDuid}</li>
 *   <li>{@code renew SERVER LINK FILE}: for each {@code BOUND} line of FILE, a RENEW of that address;
 *       prints {@code RENEWED mac address} when the REPLY extends it, {@code LOST mac why} otherwise</li>
 * </ul>
 * A client unanswered sends its message again after {@link #WAIT_MILLIS}, and gives up after
 * {@link #TRIES} tries (printing {@code GONE mac}): the server may have been killed; its thread then stops.
 */
public final class Dhcp6Clients {

    private static final int WAIT_MILLIS = 2000;
    private static final int TRIES = 3;

    private final InetSocketAddress server;
    private final Inet6Address link;
    private final AtomicInteger xid = new AtomicInteger(1);

    private Dhcp6Clients(String server, String link) {
        this.server = new InetSocketAddress(Ipv6.parse(server).orElseThrow(), 547);
        this.link = Ipv6.parse(link).orElseThrow();
    }

    public static void main(String[] args) throws Exception {
        Dhcp6Clients clients = new Dhcp6Clients(args[1], args[2]);
        if (args[0].equals("bind")) {
            clients.bind(Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        } else {
            clients.renew(Files.readAllLines(Path.of(args[3])));
        }
        System.out.flush();
    }

    static MacAddress mac(int i) {
        return MacAddress.parse(String.format("02:00:00:00:%02x:%02x", i >> 8 & 0xff, i & 0xff));
    }

    private void bind(int n, int threads, int first) throws Exception {
        AtomicInteger next = new AtomicInteger(first);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                try (DatagramSocket socket = new DatagramSocket(0)) {
                    for (int i = next.getAndIncrement(); i < first + n; i = next.getAndIncrement()) {
                        if (!bindOne(socket, mac(i))) {
                            return null;
                        }
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
    }

    /** One client's four messages; false when the server stopped answering. */
    private boolean bindOne(DatagramSocket socket, MacAddress mac) throws Exception {
        Duid duid = new Duid.LinkLayer(1, new Opaque(mac.toBytes()));
        Dhcp6Option.IaNa ia = new Dhcp6Option.IaNa(1, 0, 0, List.of());
        Optional<Dhcp6Message.ClientServer> advertise = exchange(socket, mac, new Dhcp6Message.ClientServer(
                Dhcp6MessageType.SOLICIT, xid.getAndIncrement() & 0xFFFFFF, List.of(new Dhcp6Option.ClientId(duid), ia)));
        if (advertise.isEmpty()) {
            return false;
        }
        Dhcp6Option.ServerId serverId = advertise.get().option(Dhcp6Option.ServerId.class).orElseThrow();
        Optional<Dhcp6Message.ClientServer> reply = exchange(socket, mac, new Dhcp6Message.ClientServer(
                Dhcp6MessageType.REQUEST, xid.getAndIncrement() & 0xFFFFFF, List.of(new Dhcp6Option.ClientId(duid),
                serverId, advertise.get().option(Dhcp6Option.IaNa.class).orElseThrow())));
        if (reply.isEmpty()) {
            return false;
        }
        Optional<Dhcp6Option.IaAddress> bound = reply.get().option(Dhcp6Option.IaNa.class).stream()
                .flatMap(i -> i.addresses().stream()).findFirst();
        print(bound.map(a -> "BOUND " + mac + " " + AddressText.of(a.address()) + " " + BootOnly6.hex(serverId.duid()))
                .orElse("LOST " + mac + " no address in the REPLY"));
        return true;
    }

    private void renew(List<String> bound) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            for (String line : bound) {
                String[] f = line.split(" ");
                MacAddress mac = MacAddress.parse(f[1]);
                Inet6Address address = Ipv6.parse(f[2]).orElseThrow();
                Duid ours = Dhcp6Codec.decodeDuid(HexFormat.of().parseHex(f[3]));
                Dhcp6Option.IaNa ia = new Dhcp6Option.IaNa(1, 0, 0, List.of(new Dhcp6Option.IaAddress(address, 0, 0,
                        List.of())));
                Optional<Dhcp6Message.ClientServer> reply = exchange(socket, mac, new Dhcp6Message.ClientServer(
                        Dhcp6MessageType.RENEW, xid.getAndIncrement() & 0xFFFFFF, List.of(new Dhcp6Option.ClientId(
                        new Duid.LinkLayer(1, new Opaque(mac.toBytes()))), new Dhcp6Option.ServerId(ours), ia)));
                if (reply.isEmpty()) {
                    return;
                }
                List<Dhcp6Option.IaAddress> got = reply.get().option(Dhcp6Option.IaNa.class).orElseThrow().addresses();
                print(got.size() == 1 && got.get(0).address().equals(address) && got.get(0).validLifetime() > 0
                        ? "RENEWED " + mac + " " + AddressText.of(address) : "LOST " + mac + " " + reply.get());
            }
        }
    }

    /** Sends {@code m} relayed and returns the answer inside the RELAY-REPL, trying {@link #TRIES} times. */
    private Optional<Dhcp6Message.ClientServer> exchange(DatagramSocket socket, MacAddress mac,
                                                         Dhcp6Message.ClientServer m) throws Exception {
        byte[] b = mac.toBytes();
        byte[] eui64 = {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, (byte) (b[0] ^ 0x02), b[1], b[2], (byte) 0xff,
                (byte) 0xfe, b[3], b[4], b[5]};
        Dhcp6Message.Relay forward = new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, 0, link,
                (Inet6Address) java.net.InetAddress.getByAddress(eui64), List.of(new Dhcp6Option.RelayMessage(m)));
        byte[] datagram = Dhcp6Codec.encode(forward);
        socket.setSoTimeout(WAIT_MILLIS);
        for (int attempt = 1; attempt <= TRIES; attempt++) {
            if (attempt > 1) {
                print("AGAIN " + mac);
            }
            socket.send(new DatagramPacket(datagram, datagram.length, server));
            long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            while (System.currentTimeMillis() < deadline) {
                DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
                try {
                    socket.receive(answer);
                } catch (SocketTimeoutException e) {
                    break;
                }
                Dhcp6Message got = Dhcp6Codec.decode(Arrays.copyOf(answer.getData(), answer.getLength()));
                if (got instanceof Dhcp6Message.Relay relay
                        && relay.relayed() instanceof Dhcp6Message.ClientServer inner
                        && inner.transactionId() == m.transactionId()) {
                    return Optional.of(inner);
                }
            }
        }
        print("GONE " + mac);
        return Optional.empty();
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
