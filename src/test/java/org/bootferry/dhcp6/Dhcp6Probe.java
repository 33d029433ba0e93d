package org.bootferry.dhcp6;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A DHCPv6 client as firmware is one, for tests inside a network namespace: sends a captured message
 * from [the interface's link-local address]:546 to ff02::1:2:547 (RFC 8415 §7.1) and prints every
 * answer as {@code ANSWER <source> <hex>} for {@code millis} ms. With FROM, TO and PORT it unicasts
 * from [FROM]:PORT to [TO]:PORT instead, as EDK2 sends its boot-service REQUEST (4011 to 4011), and
 * ends at the first answer: only that server was asked.
 * Usage: {@code Dhcp6Probe MESSAGE_FILE INTERFACE MILLIS [FROM TO PORT]}.
 */
public final class Dhcp6Probe {

    private Dhcp6Probe() {
    }

    public static void main(String[] args) throws Exception {
        byte[] message = Files.readAllBytes(Path.of(args[0]));
        NetworkInterface nif = NetworkInterface.getByName(args[1]);
        long until = System.currentTimeMillis() + Long.parseLong(args[2]);
        Inet6Address linkLocal = nif.inetAddresses().filter(a -> a instanceof Inet6Address && a.isLinkLocalAddress())
                .map(a -> (Inet6Address) a).findFirst().orElseThrow();
        Inet6Address group = Inet6Address.getByAddress(null, InetAddress.getByName("ff02::1:2").getAddress(), nif);
        boolean unicast = args.length == 6;
        InetSocketAddress from = unicast ? new InetSocketAddress(InetAddress.getByName(args[3]), Integer.parseInt(args[5]))
                : new InetSocketAddress(linkLocal, 546);
        InetSocketAddress to = unicast ? new InetSocketAddress(InetAddress.getByName(args[4]), Integer.parseInt(args[5]))
                : new InetSocketAddress(group, 547);
        try (DatagramSocket socket = new DatagramSocket(from)) {
            socket.send(new DatagramPacket(message, message.length, to));
            byte[] buffer = new byte[1500];
            while (System.currentTimeMillis() < until) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                socket.setSoTimeout((int) Math.max(1, until - System.currentTimeMillis()));
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                System.out.println("ANSWER " + p.getAddress().getHostAddress() + " "
                        + HexFormat.of().formatHex(Arrays.copyOf(p.getData(), p.getLength())));
                if (unicast) {
                    break;
                }
            }
        }
    }
}
