package org.bootferry.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.testing.Pcap;

/**
 * Picks the packets real clients sent during a boot out of its capture and names them, so the codec
 * tests can decode exactly what SeaBIOS's iPXE ROM, OVMF's EDK2 PXE client and chainloaded iPXE put on
 * the wire. The first packet of each kind is kept (UDP payload only). This reads just enough of DHCP
 * and TFTP to name a packet; decoding them properly is the codecs' job, which these fixtures test.
 */
final class CaptureFixtures {

    /**
     * Where fixtures go and how their names start: "e2e-" tells them from fixtures cut out of other
     * captures in the same directories.
     */
    private static final String DHCP = "dhcp/e2e-";
    private static final String TFTP = "tftp/e2e-";
    private static final int DHCP_MIN = 240;            // RFC 2131 §2: fixed header 236 + magic cookie 4
    private static final int OPTION_MESSAGE_TYPE = 53;  // RFC 2132 §9.6
    private static final int OPTION_VENDOR_CLASS = 60;  // RFC 2132 §9.13
    private static final int OPTION_USER_CLASS = 77;    // RFC 3004
    private static final String[] DHCP_TYPES = {"?", "discover", "offer", "request", "decline", "ack", "nak",
        "release", "inform"};
    private static final int TFTP_RRQ = 1;              // RFC 1350 §5
    private static final int TFTP_ACK = 4;
    private static final int TFTP_ERROR = 5;

    private CaptureFixtures() {
    }

    /**
     * Fixture name ({@code dhcp/e2e-edk2-x64-request-4011.bin}) to UDP payload, for the client packets of
     * one boot, plus the site DHCP server's offer and ack (real dnsmasq replies to decode).
     *
     * @param firmware what this boot's firmware PXE client is called, e.g. {@code edk2-x64}
     * @param ipxe     what this boot's iPXE (the packets with user class "iPXE") is called, e.g.
     *                 {@code seabios-ipxe-rom} or {@code ipxe-efi-chained}
     */
    static Map<String, byte[]> extract(List<Pcap.Datagram> datagrams, String firmware, String ipxe, String siteServer) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Pcap.Datagram d : datagrams) {
            byte[] p = d.payload();
            boolean toServer = d.destinationPort() == 67 || d.destinationPort() == 4011;
            if (toServer && p.length >= DHCP_MIN && p[0] == 1) {
                String client = dhcpClient(p, firmware, ipxe);
                String port = d.destinationPort() == 4011 ? "-4011" : "";
                out.putIfAbsent(DHCP + client + "-" + dhcpType(p) + port + ".bin", p);
            } else if (d.sourcePort() == 67 && d.source().getAddress().getHostAddress().equals(siteServer)
                    && p.length >= DHCP_MIN && p[0] == 2) {
                out.putIfAbsent(DHCP + "site-dnsmasq-" + dhcpType(p) + ".bin", p);
            }
        }
        tftpClientPackets(datagrams, firmware, out);
        return out;
    }

    /**
     * TFTP requests go to port 69 and name the file; the client's later ACKs and ERRORs go to the
     * server's transfer port, so they are found by the client's source port of its request.
     */
    private static void tftpClientPackets(List<Pcap.Datagram> datagrams, String firmware, Map<String, byte[]> out) {
        for (Pcap.Datagram rrq : datagrams) {
            byte[] p = rrq.payload();
            if (rrq.destinationPort() != 69 || p.length < 4 || opcode(p) != TFTP_RRQ) {
                continue;
            }
            boolean probe = text(p).contains("\0tsize\0");
            String name = TFTP + firmware + "-rrq-" + fileName(p) + (probe ? "-tsize-probe" : "") + ".bin";
            out.putIfAbsent(name, p);
            for (Pcap.Datagram d : datagrams) {
                byte[] q = d.payload();
                if (d.seconds() < rrq.seconds() || !d.source().equals(rrq.source()) || d.destinationPort() == 69
                        || q.length < 4) {
                    continue;
                }
                if (opcode(q) == TFTP_ERROR) {
                    out.putIfAbsent(TFTP + firmware + "-error-after-" + (probe ? "tsize-probe" : "transfer") + ".bin", q);
                    break;
                }
                if (opcode(q) == TFTP_ACK && (q[2] | q[3]) == 0) {
                    out.putIfAbsent(TFTP + firmware + "-ack-oack.bin", q);
                }
            }
        }
    }

    /** Writes the fixtures under {@code dir} (dhcp/, tftp/), replacing files of the same name. */
    static void write(Map<String, byte[]> fixtures, Path dir) throws IOException {
        for (Map.Entry<String, byte[]> f : fixtures.entrySet()) {
            Path file = dir.resolve(f.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, f.getValue());
        }
    }

    /**
     * Who sent a DHCP request: iPXE says so in its user class (option 77), firmware PXE clients send
     * vendor class {@code PXEClient:...} (option 60), and the initramfs's busybox udhcpc {@code udhcp x.y}:
     * an ordinary, non-PXE client on the same MAC, which a ProxyDHCP must not answer.
     */
    private static String dhcpClient(byte[] p, String firmware, String ipxe) {
        String userClass = option(p, OPTION_USER_CLASS).map(CaptureFixtures::text).orElse("");
        String vendorClass = option(p, OPTION_VENDOR_CLASS).map(CaptureFixtures::text).orElse("");
        if (userClass.contains("iPXE")) {
            return ipxe;
        }
        if (vendorClass.startsWith("PXEClient")) {
            return firmware;
        }
        return vendorClass.startsWith("udhcp") ? "busybox-udhcpc" : "unknown-client";
    }

    private static String dhcpType(byte[] p) {
        return option(p, OPTION_MESSAGE_TYPE).filter(v -> v.length == 1 && v[0] > 0 && v[0] < DHCP_TYPES.length)
                .map(v -> DHCP_TYPES[v[0]]).orElse("bootp");
    }

    /** RFC 2132 options after the magic cookie: code, length, value; 0 pads, 255 ends. */
    private static Optional<byte[]> option(byte[] p, int code) {
        int i = DHCP_MIN;
        while (i < p.length) {
            int c = p[i] & 0xff;
            if (c == 255) {
                break;
            }
            if (c == 0) {
                i++;
                continue;
            }
            if (i + 1 >= p.length) {
                break;
            }
            int len = p[i + 1] & 0xff;
            if (i + 2 + len > p.length) {
                break;
            }
            if (c == code) {
                return Optional.of(Arrays.copyOfRange(p, i + 2, i + 2 + len));
            }
            i += 2 + len;
        }
        return Optional.empty();
    }

    private static int opcode(byte[] p) {
        return ((p[0] & 0xff) << 8) | (p[1] & 0xff);
    }

    private static String fileName(byte[] rrq) {
        String s = text(rrq);
        return s.substring(2, s.indexOf('\0', 2)).replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
