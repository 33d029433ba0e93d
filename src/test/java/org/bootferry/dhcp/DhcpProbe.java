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
 * A DHCP client as firmware is one, for tests inside a network namespace: sends a captured message
 * (by default broadcast from port 68 to 255.255.255.255:67) and prints every answer as
 * {@code ANSWER <source ip>:<port> <hex>} for {@code millis} ms.
 * Usage: {@code DhcpProbe MESSAGE_FILE MILLIS [DESTINATION_IP DESTINATION_PORT SOURCE_PORT]}; the
 * optional part sends as a PXE client does to a boot server's port 4011: unicast, from port 4011
 * (EDK2) or 68 (iPXE).
 */
public final class DhcpProbe {

    private DhcpProbe() {
    }

    public static void main(String[] args) throws Exception {
        byte[] message = Files.readAllBytes(Path.of(args[0]));
        long until = System.currentTimeMillis() + Long.parseLong(args[1]);
        boolean aimed = args.length == 5;
        InetAddress destination = InetAddress.getByName(aimed ? args[2] : "255.255.255.255");
        int destinationPort = aimed ? Integer.parseInt(args[3]) : DhcpSettings.SERVER_PORT;
        int sourcePort = aimed ? Integer.parseInt(args[4]) : DhcpSettings.CLIENT_PORT;
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.setReuseAddress(true);
            socket.setBroadcast(true);
            socket.bind(new InetSocketAddress(sourcePort));
            socket.send(new DatagramPacket(message, message.length, destination, destinationPort));
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
