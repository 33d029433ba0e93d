package org.bootferry.e2e;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bootferry.dhcp.DhcpCodec;
import org.bootferry.dhcp.DhcpMessage;
import org.bootferry.dhcp.MalformedDhcpException;
import org.bootferry.testing.Pcap;

/**
 * What a boot's packet capture shows, read back for assertions: the DHCP messages on the wire, and the
 * files that TFTP carried, put together from the DATA blocks as the client received them.
 */
final class WireCapture {

    // RFC 1350 §5 opcodes; OACK is RFC 2347's.
    private static final int RRQ = 1;
    private static final int DATA = 3;
    private static final int OACK = 6;
    private static final int TFTP_PORT = 69;
    /** RFC 1350: blocks are 512 bytes unless RFC 2348 blksize was agreed. */
    private static final int DEFAULT_BLOCK_SIZE = 512;

    private WireCapture() {
    }

    /** The DHCP messages {@code address} sent (from port 67 or 4011), decoded. */
    static List<DhcpMessage> dhcpSentBy(List<Pcap.Datagram> packets, String address) {
        return packets.stream()
                .filter(d -> d.source().getAddress().getHostAddress().equals(address))
                .filter(d -> d.sourcePort() == 67 || d.sourcePort() == 4011)
                .map(d -> decode(d.payload()))
                .toList();
    }

    /** The DHCP messages sent to a server port (67 or 4011), decoded: what the clients asked. */
    static List<DhcpMessage> dhcpRequests(List<Pcap.Datagram> packets) {
        return packets.stream()
                .filter(d -> d.destinationPort() == 67 || d.destinationPort() == 4011)
                .map(d -> decode(d.payload()))
                .toList();
    }

    private static DhcpMessage decode(byte[] datagram) {
        try {
            return DhcpCodec.decode(datagram);
        } catch (MalformedDhcpException e) {
            throw new AssertionError("a malformed DHCP message on the wire: " + e.getMessage(), e);
        }
    }

    /**
     * Every file a TFTP transfer delivered completely, by the name the client asked for (a name
     * fetched twice: the last copy). Blocks are taken in order once each, so retransmissions and
     * RFC 7440 windows re-sent after a timeout count once; a transfer ends with its first block
     * shorter than the agreed blksize (RFC 1350 §6). Transfers the client aborted (EDK2's tsize
     * probe) deliver nothing.
     */
    static Map<String, byte[]> tftpFiles(List<Pcap.Datagram> packets) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        Map<String, Transfer> open = new HashMap<>();
        for (Pcap.Datagram d : packets) {
            byte[] p = d.payload();
            if (p.length < 4) {
                continue;
            }
            int opcode = ((p[0] & 0xff) << 8) | (p[1] & 0xff);
            if (d.destinationPort() == TFTP_PORT && opcode == RRQ) {
                open.put(d.source().toString(), new Transfer(strings(p)[0]));
                continue;
            }
            Transfer t = open.get(d.destination().toString());
            if (t == null) {
                continue;
            }
            if (opcode == OACK) {
                String[] options = strings(p);
                for (int i = 0; i + 1 < options.length; i += 2) {
                    if (options[i].equalsIgnoreCase("blksize")) {
                        t.blockSize = Integer.parseInt(options[i + 1]);
                    }
                }
            } else if (opcode == DATA) {
                // A window sent with UDP segmentation offload (UDP_SEGMENT) is captured as one
                // datagram before the kernel cuts it: consecutive DATA packets of blksize + 4 bytes.
                for (int at = 0; at < p.length; at += t.blockSize + 4) {
                    int end = Math.min(p.length, at + t.blockSize + 4);
                    int block = ((p[at + 2] & 0xff) << 8) | (p[at + 3] & 0xff);
                    if (block != (t.next & 0xffff)) {
                        continue;
                    }
                    t.content.write(p, at + 4, end - at - 4);
                    t.next++;
                    if (end - at - 4 < t.blockSize) {
                        files.put(t.name, t.content.toByteArray());
                        open.remove(d.destination().toString());
                    }
                }
            }
        }
        return files;
    }

    /** The NUL-terminated strings after the opcode: RRQ name, mode, options; OACK options. */
    private static String[] strings(byte[] p) {
        String text = new String(p, 2, p.length - 2, StandardCharsets.ISO_8859_1);
        return text.split("\0");
    }

    /** One transfer being put together. */
    private static final class Transfer {
        final String name;
        final ByteArrayOutputStream content = new ByteArrayOutputStream();
        int blockSize = DEFAULT_BLOCK_SIZE;
        long next = 1;

        Transfer(String name) {
            this.name = name;
        }
    }
}
