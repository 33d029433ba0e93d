package org.bootferry.dhcp;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A DHCP client as firmware is one, for tests inside a network namespace: broadcasts a captured
 * message from port 68 to 255.255.255.255:67 and prints every answer as
 * {@code ANSWER <source ip>:<port> <hex>} for {@code millis} ms.
 * Usage: {@code DhcpProbe MESSAGE_FILE MILLIS}.
 */
public final class DhcpProbe {

    private DhcpProbe() {
    }

    public static void main(String[] args) throws Exception {
        byte[] message = Files.readAllBytes(Path.of(args[0]));
        long until = System.currentTimeMillis() + Long.parseLong(args[1]);
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.setReuseAddress(true);
            socket.setBroadcast(true);
            socket.bind(new InetSocketAddress(DhcpSettings.CLIENT_PORT));
            socket.send(new DatagramPacket(message, message.length, InetAddress.getByName("255.255.255.255"),
                    DhcpSettings.SERVER_PORT));
            byte[] buffer = new byte[1500];
            while (System.currentTimeMillis() < until) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                socket.setSoTimeout((int) Math.max(1, until - System.currentTimeMillis()));
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                System.out.println("ANSWER " + p.getAddress().getHostAddress() + ":" + p.getPort() + " "
                        + HexFormat.of().formatHex(Arrays.copyOf(p.getData(), p.getLength())));
            }
        }
    }
}
