package org.bootferry.dhcp6;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.boot.BootPlan;
import org.bootferry.boot.BootPlanException;
import org.bootferry.boot.Booter;
import org.bootferry.lang.AddressText;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;

/**
 * The boot-only DHCPv6 decision (pure but for the planner): a datagram as received, its source and
 * the address of ours it is for, to the message to send back or why none is sent. Relay messages are
 * unwrapped and the answer wrapped again (RFC 8415 §9, §19.3); which machine asks is {@link ClientMac}'s
 * answer, else what the same DUID's SOLICIT showed, else a machine file's {@code duid:}, else the
 * kernel's neighbour table, which the listener asks off its event loop when told to
 * ({@link Unidentified#askNeighbours}); what it boots is the planner's; what the answer carries
 * is {@link Boot6Answer#bootOnly}'s.
 */
public final class BootOnly6 {

    /** Which socket a datagram came in on. */
    public enum Listener {
        /** UDP 547: client messages to ff02::1:2 and relay agents' RELAY-FORW (RFC 8415 §7.1, §7.2). */
        DHCP,
        /** UDP 4011: EDK2's boot-service REQUEST after a boot-only ADVERTISE with PXEClient (reference/ipv6). */
        PXE
    }

    /** What to do with a datagram. */
    public sealed interface Decision {
    }

    /** Send {@code message} back to the datagram's source. */
    public record Reply(Dhcp6Message message, Pxe6Request request, MacAddress mac, String bootFileUrl)
            implements Decision {
    }

    /**
     * Server mode: send {@code message}, which carries addresses or status but no boot options (a
     * client that is not booting, or a machine the planner has nothing for); {@code what} says what
     * for the debug log, {@code problem} why a boot client got no boot options, for a warning.
     */
    record Answered(Dhcp6Message message, Optional<MacAddress> mac, String what, Optional<String> problem)
            implements Decision {
    }

    /** Answer nothing; {@code reason} says why (debug log). */
    public record Silent(String reason) implements Decision {
    }

    /**
     * A boot client we cannot tell apart from another: no MAC in the message, its address or the
     * relay's option 79, and no machine file names its DUID. {@code tried} says where we looked, in
     * {@link ClientMac.Source}'s order. {@code askNeighbours}: the client is on a boot link and the
     * neighbour table was not asked yet; decide again with what it says ({@link Neighbour#of}).
     */
    public record Unidentified(Duid clientId, List<String> tried, boolean askNeighbours) implements Decision {
        public Unidentified {
            tried = List.copyOf(tried);
        }

        /** The log line's reason. */
        public String why() {
            return ClientMac.Unknown.why(tried);
        }

        /** Its DUID's type, as {@code why} names it. */
        public String duidType() {
            return ClientMac.describe(clientId);
        }
    }

    /** What the kernel's IPv6 neighbour table said of a client's source address, if it was asked. */
    public record Neighbour(boolean asked, Optional<MacAddress> mac) {
        public static final Neighbour NOT_ASKED = new Neighbour(false, Optional.empty());

        public static Neighbour of(Optional<MacAddress> mac) {
            return new Neighbour(true, mac);
        }
    }

    /** The machine's config cannot be planned; {@code reason} names the file to fix. */
    public record Failed(String reason) implements Decision {
    }

    /** A machine file's {@code duid:}: the MAC of the machine that sends this DUID. */
    @FunctionalInterface
    public interface DuidBook {
        Optional<MacAddress> macOf(Duid duid);

        DuidBook NONE = duid -> Optional.empty();
    }

    /** How many clients' SOLICIT-learnt MACs are kept: more than a rack boots at once. */
    static final int LEARNT_BOUND = 4096;

    private final Booter planner;
    private final DuidBook duids;
    private final Duid serverId;
    /**
     * The MAC each recently answered client's SOLICIT showed, by its DUID. EDK2 sends its 4011
     * REQUEST from its autoconfig address, not the EUI-64 link-local one, with the DUID-UUID of its
     * SOLICIT (reference/ipv6, {@code proxy6-pxe}): only the SOLICIT tells whose it is.
     */
    private final Map<Duid, MacAddress> learnt = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Duid, MacAddress> eldest) {
            return size() > LEARNT_BOUND;
        }
    });

    /**
     * @param serverId our DUID (RFC 8415 §11), which EDK2 names in its 4011 REQUEST
     */
    public BootOnly6(Booter planner, DuidBook duids, Duid serverId) {
        this.planner = planner;
        this.duids = duids;
        this.serverId = serverId;
    }

    public Duid serverId() {
        return serverId;
    }

    /**
     * @param received as decoded: a client message, or a RELAY-FORW around one
     * @param source   the datagram's IPv6 source address
     * @param server   the address of ours machines are told on the client's link
     */
    public Decision decide(Dhcp6Message received, Inet6Address source, Inet6Address server, Listener listener) {
        return decide(received, source, server, listener, Neighbour.NOT_ASKED);
    }

    /** {@link #decide(Dhcp6Message, Inet6Address, Inet6Address, Listener)} with the neighbour table's answer. */
    public Decision decide(Dhcp6Message received, Inet6Address source, Inet6Address server, Listener listener,
            Neighbour neighbour) {
        if (received.type() == Dhcp6MessageType.RELAY_REPL) {
            return new Silent("RELAY-REPL is a server's message (RFC 8415 §9)");
        }
        if (received instanceof Dhcp6Message.Relay && listener == Listener.PXE) {
            return new Silent("RELAY-FORW on the PXE port: relay agents send to 547 (RFC 8415 §7.2)");
        }
        List<Dhcp6Message.Relay> relays = new ArrayList<>();
        Dhcp6Message inner = received;
        while (inner instanceof Dhcp6Message.Relay relay) {
            relays.add(relay);
            inner = relay.relayed();
        }
        if (!(inner instanceof Dhcp6Message.ClientServer client)) {
            return new Silent("a relay message without a client message inside");
        }
        if (listener == Listener.PXE && client.type() != Dhcp6MessageType.REQUEST) {
            return new Silent(client.type() + " on the PXE port: only EDK2's boot-service REQUEST comes there");
        }
        Pxe6Detection detected = Pxe6Request.detect(client);
        if (detected instanceof Pxe6Detection.Ignored ignored) {
            return new Silent(ignored.reason());
        }
        Pxe6Request request = (Pxe6Request) detected;
        Optional<MacAddress> mac;
        ClientMac found = ClientMac.of(received, source);
        if (found instanceof ClientMac.Known known) {
            mac = Optional.of(known.mac());
        } else {
            List<String> tried = new ArrayList<>(((ClientMac.Unknown) found).tried());
            mac = Optional.ofNullable(learnt.get(request.clientId()));
            if (mac.isEmpty()) {
                tried.add(ClientMac.Source.SOLICIT.missed("none lately"));
                mac = duids.macOf(request.clientId());
            }
            if (mac.isEmpty()) {
                tried.add(ClientMac.Source.MACHINE_FILE.missed("none (the line would be duid: " + hex(request.clientId()) + ")"));
                if (!relays.isEmpty()) {
                    tried.add(ClientMac.Source.NEIGHBOUR_TABLE.missed("not asked, the client is behind a relay agent"));
                    return new Unidentified(request.clientId(), tried, false);
                }
                if (!neighbour.asked()) {
                    return new Unidentified(request.clientId(), tried, true);
                }
                mac = neighbour.mac();
                if (mac.isEmpty()) {
                    // Ipv6Neighbours in journal says when the kernel has an entry: after it talked to the client.
                    tried.add(ClientMac.Source.NEIGHBOUR_TABLE.missed("no MAC for " + AddressText.of(source)
                            + " (the kernel has an entry once the client unicast to us; a table that could not be"
                            + " read is in the log)"));
                    return new Unidentified(request.clientId(), tried, false);
                }
            }
        }
        Machine machine = request.machine(mac.get(), Optional.of(server));
        Optional<BootPlan> plan;
        try {
            plan = planner.plan(machine);
        } catch (BootPlanException e) {
            return new Failed(e.getMessage());
        }
        if (plan.isEmpty()) {
            return new Silent(Booter.unplanned(machine) + ": not answered");
        }
        String url = plan.get().bootFileUrl();
        Boot6Answer.Decision answer;
        try {
            answer = Boot6Answer.bootOnly(request, serverId, url);
        } catch (IllegalArgumentException e) {
            return new Failed(mac.get() + ": " + e.getMessage());
        }
        if (answer instanceof Boot6Answer.NoAnswer no) {
            return new Silent(mac.get() + ": " + no.reason());
        }
        Dhcp6Message reply = ((Boot6Answer.Answer) answer).message();
        if (client.type() == Dhcp6MessageType.SOLICIT) {
            learnt.put(request.clientId(), mac.get());
        }
        for (int i = relays.size() - 1; i >= 0; i--) {
            reply = relayReply(relays.get(i), reply);
        }
        return new Reply(reply, request, mac.get(), url);
    }

    /**
     * §19.3: the answer to a RELAY-FORW is a RELAY-REPL with its hop-count, link-address and
     * peer-address, the answer in RELAY_MSG, and its Interface-Id option copied back.
     */
    static Dhcp6Message.Relay relayReply(Dhcp6Message.Relay forward, Dhcp6Message answer) {
        List<Dhcp6Option> options = new ArrayList<>();
        forward.option(Dhcp6Option.InterfaceId.class).ifPresent(options::add);
        options.add(new Dhcp6Option.RelayMessage(answer));
        return new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_REPL, forward.hopCount(), forward.linkAddress(),
                forward.peerAddress(), options);
    }

    /** A DUID as a machine file's {@code duid:} writes it: its bytes in hex. */
    public static String hex(Duid duid) {
        return java.util.HexFormat.of().formatHex(Dhcp6Codec.encodeDuid(duid));
    }
}
