package org.bootferry.dhcp;

import java.net.InetAddress;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import org.bootferry.boot.Booter;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.Sighting;

/**
 * Discovery's ear on DHCP: every network-boot DISCOVER from a MAC that no machine file names is
 * recorded, whether {@code default.yaml} answers it or nobody does. It only listens; what the
 * listener answers is decided as before. One DISCOVER is one boot attempt, so retransmissions of
 * the same attempt count too, as the firmware sends them (PXE 2.1 §2.2.1: four retries).
 */
public final class Discovery {

    private final Booter booter;
    private final Discoveries discoveries;
    private final Clock clock;

    public Discovery(Booter booter, Discoveries discoveries, Clock clock) {
        this.booter = booter;
        this.discoveries = discoveries;
        this.clock = clock;
    }

    /**
     * @param local our address the request arrived at, when the socket knows it (an interface's
     *              socket, a specific bind)
     */
    public void heard(PxeRequest request, Optional<InetAddress> local) {
        if (request.type() == DhcpMessageType.DISCOVER && !booter.configured(request.mac())) {
            discoveries.saw(sighting(request, local, clock));
        }
    }

    static Sighting sighting(PxeRequest request, Optional<InetAddress> local, Clock clock) {
        DhcpMessage m = request.message();
        String via = !m.giaddr().equals(DhcpMessage.ZERO) ? "relay " + m.giaddr().getHostAddress()
                : local.map(a -> "interface " + a.getHostAddress()).orElse("broadcast");
        return new Sighting(request.mac(), clock.instant(), request.firmware(), request.arch().toString(),
                request.uuid().flatMap(Discovery::uuid),
                m.option(DhcpOptionCode.VENDOR_CLASS_IDENTIFIER).map(DhcpOption::text).orElse(""),
                request.ipxe(), via);
    }

    /**
     * Option 97 (RFC 4578 §2.3): type 0, then the 16-byte GUID, shown in the 8-4-4-4-12 form in the
     * order the bytes came. SMBIOS 2.6 stores the first three fields little-endian, so a UUID read
     * off a BIOS screen may show them byte-swapped; the bytes are shown as the firmware sent them.
     */
    private static Optional<String> uuid(DhcpOption option) {
        byte[] v = option.value();
        if (v.length != 17 || v[0] != 0) {
            return Optional.empty();
        }
        String hex = HexFormat.of().formatHex(v, 1, 17);
        return Optional.of(hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20));
    }
}
