package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * <p>The boot fields are the {@link BootAnswer}, the same server mode puts in its replies.
 *
 * <p>Secure Boot's shim reads this offer too (rhboot/shim netboot.c parseDhcp4: the cached
 * ProxyOffer's siaddr and file when the site's ACK names no file) and fetches {@code grubx64.efi} from
 * the offer's server, in the directory of its file. The GRUB it starts never sees this offer: efinet.c
 * grub_efi_net_config_real reads the cached DhcpAck alone, so it asks the site DHCP server's siaddr for
 * its config, and no field here or on port 4011 changes that (README.md, "Secure Boot"; BootChains says
 * so in explain). Server mode's ACK carries the same {@link BootAnswer}, siaddr included, so GRUB finds
 * this server there.
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
        } else if (request.type() == DhcpMessageType.REQUEST && BootAnswer.bootItem(request).isPresent()) {
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
            return new Silent(Booter.unplanned(machine) + ": not answered");
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
        BootAnswer answer = BootAnswer.of(request, plan, nextServer, type);
        List<DhcpOption> options = new ArrayList<>();
        options.add(new DhcpOption(DhcpOptionCode.MESSAGE_TYPE, new byte[] {(byte) type.code()}));
        options.add(new DhcpOption(DhcpOptionCode.SERVER_IDENTIFIER, nextServer.getAddress()));
        options.addAll(answer.options());
        return new DhcpMessage(DhcpMessage.BOOTREPLY, m.htype(), m.hlen(), 0, m.xid(), 0, m.flags(),
                // RFC 2131 Table 3: ciaddr is copied into an ACK, 0 in an OFFER.
                type == DhcpMessageType.ACK ? m.ciaddr() : DhcpMessage.ZERO,
                DhcpMessage.ZERO, answer.siaddr(), m.giaddr(), m.chaddr(), "", answer.file(), options);
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
