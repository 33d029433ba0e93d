package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bootferry.boot.BootPlan;
import org.bootferry.boot.BootPlanException;
import org.bootferry.boot.Booter;
import org.bootferry.machine.Machine;

/**
 * The ProxyDHCP decision, a pure function: a boot client's request and its {@link BootPlan} in, the
 * reply and where to send it out. No addresses are handed out (RFC 2131 leaves that to the site's DHCP
 * server); the reply only says where to boot from (PXE 2.1 §2.2, "ProxyDHCP").
 *
 * <p>What real clients need, and why the reply looks the way it does:
 * <ul>
 *   <li>siaddr is always the next-server: iPXE ignores a ProxyDHCP offer whose siaddr is 0, even when
 *       the file is an http:// URL.</li>
 *   <li>Option 43 with PXE_DISCOVERY_CONTROL bit 3 (PXE 2.1 Table 2-1: "use the boot file in this
 *       offer, no prompt, menu or discovery") goes into every PXEClient OFFER. EDK2 treats an offer
 *       with {@code PXEClient} and no option 43 as "BINL" and insists on a port-4011 exchange
 *       (PXE-E16/E18 if nobody answers); with the bit set and a boot file present it downloads the file
 *       at once (PxeBcSelectBootPrompt). ROMs that do the 4011 exchange anyway get an ACK there.</li>
 *   <li>HTTPClient offers carry option 60 {@code HTTPClient} and the URL, no option 43 (UEFI 2.x
 *       §24.7: HTTP Boot has no boot-server discovery).</li>
 *   <li>Option 97 is echoed when the client sent it; Intel ROMs omit it and are answered anyway.</li>
 *   <li>Secure Boot's shim reads this offer too (rhboot/shim netboot.c parseDhcp4: the cached
 *       ProxyOffer's siaddr and file when the site's ACK names no file) and fetches
 *       {@code grubx64.efi} from the offer's server, in the directory of its file. The GRUB it starts
 *       never sees this offer: efinet.c grub_efi_net_config_real reads the cached DhcpAck alone, so
 *       it asks the site DHCP server's siaddr for its config, and no field here or on port 4011
 *       changes that (README.md, "Secure Boot"; BootChains says so in explain).</li>
 * </ul>
 */
public final class ProxyDhcp {

    /** Which of our sockets a request arrived on. */
    public enum Listener {
        /** UDP 67: broadcast DISCOVERs (and REQUESTs) from clients or relays. */
        DHCP,
        /** UDP 4011: the PXE boot-server REQUEST, unicast to us (PXE 2.1 §2.2.5). */
        PXE
    }

    /** What to do with one request. */
    public sealed interface Decision permits Reply, Silent, Failed {
    }

    /** Send {@code message} to {@code recipient}. */
    public record Reply(DhcpMessage message, InetSocketAddress recipient, BootPlan plan) implements Decision {
    }

    /** Send nothing; {@code reason} is for a debug line. */
    public record Silent(String reason) implements Decision {
    }

    /** Send nothing because the machine's config can't be planned; {@code reason} names the file to fix. */
    public record Failed(String reason) implements Decision {
    }

    /** PXE 2.1 Table 2-1, discovery control bit 3, then the END of the encapsulated options. */
    private static final byte[] USE_BOOT_FILE_IN_OFFER = {
        DhcpOptionCode.PXE_DISCOVERY_CONTROL, 1, 0x08, (byte) DhcpOptionCode.END};
    private static final int FILE_FIELD_MAX = 127;

    private final Booter planner;
    private final int clientPort;
    private final int relayPort;

    /**
     * @param planner    what a machine boots; empty means unknown, not answered
     * @param clientPort where clients listen (68; tests use another)
     * @param relayPort  where relay agents listen (67, RFC 2131 §4.1)
     */
    public ProxyDhcp(Booter planner, int clientPort, int relayPort) {
        this.planner = planner;
        this.clientPort = clientPort;
        this.relayPort = relayPort;
    }

    /**
     * @param request  the detected request
     * @param listener the socket it came in on
     * @param sender   its source address and port
     * @param local    our address it was sent to, when the socket knows it (not a wildcard bind)
     */
    public Decision decide(PxeRequest request, Listener listener, InetSocketAddress sender, Optional<InetAddress> local) {
        DhcpMessageType replyType;
        if (listener == Listener.DHCP && request.type() == DhcpMessageType.DISCOVER) {
            replyType = DhcpMessageType.OFFER;
        } else if (listener == Listener.PXE && request.type() == DhcpMessageType.REQUEST) {
            replyType = DhcpMessageType.ACK;
        } else if (request.type() == DhcpMessageType.REQUEST && bootItem(request).isPresent()) {
            // PXE 2.1 §2.2.5: boot-server discovery may be broadcast to port 67 instead of sent to
            // 4011; such a REQUEST names the PXE_BOOT_ITEM it wants in option 43.
            replyType = DhcpMessageType.ACK;
        } else if (request.type() == DhcpMessageType.REQUEST) {
            // Every other REQUEST on 67 takes a lease from the site's DHCP server (RFC 2131 §4.3.2) -
            // which may share our address when it runs on this host, so option 54 can't tell us apart.
            return new Silent("a lease REQUEST on 67: the DHCP server's business");
        } else {
            return new Silent(request.type() + " on the " + listener + " port: nothing for a ProxyDHCP to say");
        }

        Machine machine = request.machine(local);
        Optional<BootPlan> found;
        try {
            found = planner.plan(machine);
        } catch (BootPlanException e) {
            return new Failed(e.getMessage());
        }
        if (found.isEmpty()) {
            return new Silent("unknown MAC " + request.mac() + " (no machine file, no default): not answered");
        }
        BootPlan plan = found.get();
        if (!(plan.nextServer() instanceof Inet4Address nextServer) || nextServer.isAnyLocalAddress()) {
            return new Silent("next-server " + plan.nextServer().getHostAddress()
                    + " is not a usable IPv4 address (set the advertise address)");
        }
        return new Reply(reply(request, plan, nextServer, replyType),
                recipient(request.message(), listener, sender), plan);
    }

    private static DhcpMessage reply(PxeRequest request, BootPlan plan, Inet4Address nextServer,
                                     DhcpMessageType type) {
        DhcpMessage m = request.message();
        String bootFile = plan.bootFile();
        List<DhcpOption> options = new ArrayList<>();
        options.add(new DhcpOption(DhcpOptionCode.MESSAGE_TYPE, new byte[] {(byte) type.code()}));
        options.add(new DhcpOption(DhcpOptionCode.SERVER_IDENTIFIER, nextServer.getAddress()));
        options.add(DhcpOption.ofString(DhcpOptionCode.VENDOR_CLASS_IDENTIFIER, request.vendorClass().text()));
        request.uuid().ifPresent(options::add);
        vendorOptions(request, type).ifPresent(v -> options.add(new DhcpOption(DhcpOptionCode.VENDOR_SPECIFIC, v)));
        options.add(DhcpOption.ofString(DhcpOptionCode.BOOTFILE_NAME, bootFile));
        boolean fitsFileField = bootFile.getBytes(StandardCharsets.ISO_8859_1).length <= FILE_FIELD_MAX;
        return new DhcpMessage(DhcpMessage.BOOTREPLY, m.htype(), m.hlen(), 0, m.xid(), 0, m.flags(),
                // RFC 2131 Table 3: ciaddr is copied into an ACK, 0 in an OFFER.
                type == DhcpMessageType.ACK ? m.ciaddr() : DhcpMessage.ZERO,
                DhcpMessage.ZERO, nextServer, m.giaddr(), m.chaddr(), "",
                // A URL longer than the file field travels in option 67 only (RFC 2132 §9.5).
                fitsFileField ? bootFile : "", options);
    }

    /**
     * Option 43 for a PXEClient: in an OFFER, "use the boot file in this offer"; in the boot-server ACK,
     * the PXE_BOOT_ITEM the client asked for, echoed (PXE 2.1 §2.2.5; iPXE drops an ACK without it).
     * HTTP Boot clients get none.
     */
    private static Optional<byte[]> vendorOptions(PxeRequest request, DhcpMessageType type) {
        if (request.vendorClass() != PxeRequest.VendorClass.PXE_CLIENT) {
            return Optional.empty();
        }
        if (type == DhcpMessageType.OFFER) {
            return Optional.of(USE_BOOT_FILE_IN_OFFER.clone());
        }
        return bootItem(request).map(item -> {
            byte[] v = new byte[item.length + 3];
            v[0] = DhcpOptionCode.PXE_BOOT_ITEM;
            v[1] = (byte) item.length;
            System.arraycopy(item, 0, v, 2, item.length);
            v[v.length - 1] = (byte) DhcpOptionCode.END;
            return v;
        });
    }

    private static Optional<byte[]> bootItem(PxeRequest request) {
        return request.message().option(DhcpOptionCode.VENDOR_SPECIFIC)
                .flatMap(o -> subOption(o.value(), DhcpOptionCode.PXE_BOOT_ITEM));
    }

    /** A sub-option of an encapsulated option (RFC 2132 §8.4 layout); empty when absent or cut short. */
    static Optional<byte[]> subOption(byte[] encapsulated, int code) {
        int i = 0;
        while (i + 1 < encapsulated.length) {
            int c = encapsulated[i] & 0xFF;
            if (c == DhcpOptionCode.END) {
                break;
            }
            if (c == DhcpOptionCode.PAD) {
                i++;
                continue;
            }
            int len = encapsulated[i + 1] & 0xFF;
            if (i + 2 + len > encapsulated.length) {
                break;
            }
            if (c == code) {
                byte[] v = new byte[len];
                System.arraycopy(encapsulated, i + 2, v, 0, len);
                return Optional.of(v);
            }
            i += 2 + len;
        }
        return Optional.empty();
    }

    /**
     * Where the reply goes. On 4011: back to the request's source address and port (EDK2 sends from
     * 4011, iPXE from 68). On 67, RFC 2131 §4.1: to the relay agent when giaddr is set; to ciaddr when
     * the client has an address; otherwise broadcast, since a ProxyDHCP gives no yiaddr to unicast to.
     */
    InetSocketAddress recipient(DhcpMessage request, Listener listener, InetSocketAddress sender) {
        if (listener == Listener.PXE) {
            return sender.getAddress().isAnyLocalAddress()
                    ? new InetSocketAddress(broadcast(), sender.getPort()) : sender;
        }
        if (!request.giaddr().equals(DhcpMessage.ZERO)) {
            return new InetSocketAddress(request.giaddr(), relayPort);
        }
        if (!request.ciaddr().equals(DhcpMessage.ZERO)) {
            return new InetSocketAddress(request.ciaddr(), clientPort);
        }
        return new InetSocketAddress(broadcast(), clientPort);
    }

    private static InetAddress broadcast() {
        return DhcpMessage.ipv4(new byte[] {-1, -1, -1, -1});
    }
}
