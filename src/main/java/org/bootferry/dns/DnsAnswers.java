package org.bootferry.dns;

import java.net.Inet4Address;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bootferry.machine.Addressing;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * What the DNS listener answers one query, pure: dnsjava's {@link Message} in and out, the machines'
 * names and addresses passed in. Names are {@code hostname.zone}; an address is a machine's while its
 * lease is bound, and a reservation ({@code ip:}) always is. The server is authoritative for its zone
 * (the AA bit, RFC 1035 §4.1.1), and for the reverse names of the addresses it knows; it offers no
 * recursion (RA clear) and refuses every other name (REFUSED, RFC 1035 §4.1.1: "for policy reasons").
 * A name of the zone that no machine has is NXDOMAIN with the zone's SOA, a name without records of
 * the type asked is NOERROR and empty with the SOA, for negative caching (RFC 2308 §2.1, §2.2, §3).
 */
public final class DnsAnswers {

    /** TTL of every answer: leases change, so resolvers ask again soon. */
    static final long TTL = 60;
    /** The UDP payload we accept and announce (RFC 6891 §6.2.5; the DNS flag day 2020 value). */
    static final int EDNS_PAYLOAD = 1232;

    private final Name zone;
    private final SOARecord soa;

    /** @throws IllegalArgumentException when {@code zone} is not a domain name */
    public DnsAnswers(String zone) {
        try {
            this.zone = Name.fromString(zone, Name.root);
            this.soa = new SOARecord(this.zone, DClass.IN, TTL, Name.fromString("ns", this.zone),
                    Name.fromString("hostmaster", this.zone), 1, 3600, 600, 86400, TTL);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a domain name: " + zone, e);
        }
    }

    /**
     * @param query     a decoded query
     * @param addresses the machines' addresses now ({@link Addressing#addresses()})
     */
    public Message answer(Message query, List<Addressing.Address> addresses) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setOpcode(query.getHeader().getOpcode());
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        if (query.getOPT() != null) {
            response.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL); // RFC 6891 §6.1.1
        }
        List<Record> questions = query.getSection(Section.QUESTION);
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            response.getHeader().setRcode(Rcode.NOTIMP);
            return response;
        }
        if (questions.size() != 1 || query.getHeader().getFlag(Flags.QR)) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return response;
        }
        Record question = questions.get(0);
        response.addRecord(question, Section.QUESTION);
        Name name = question.getName();
        int type = question.getType();
        if (question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY) {
            response.getHeader().setRcode(Rcode.REFUSED);
        } else if (name.subdomain(zone)) {
            forward(response, name, type, addresses);
        } else {
            reverse(response, name, type, addresses);
        }
        return response;
    }

    private void forward(Message response, Name name, int type, List<Addressing.Address> addresses) {
        response.getHeader().setFlag(Flags.AA);
        List<Inet4Address> found = addresses.stream().filter(DnsAnswers::held)
                .filter(a -> a.hostname().flatMap(this::nameOf).filter(name::equals).isPresent())
                .map(Addressing.Address::address).distinct().toList();
        if (name.equals(zone) && (type == Type.SOA || type == Type.ANY)) {
            response.addRecord(soa, Section.ANSWER);
        }
        if (type == Type.A || type == Type.ANY) {
            found.forEach(a -> response.addRecord(new ARecord(name, DClass.IN, TTL, a), Section.ANSWER));
        }
        if (found.isEmpty() && !name.equals(zone)) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        if (response.getSection(Section.ANSWER).isEmpty()) {
            response.addRecord(soa, Section.AUTHORITY);
        }
    }

    /** PTR for an address a machine holds or has reserved; any other name is not ours. */
    private void reverse(Message response, Name name, int type, List<Addressing.Address> addresses) {
        Optional<Addressing.Address> known = addresses.stream().filter(DnsAnswers::held)
                .filter(a -> a.hostname().isPresent() && ReverseMap.fromAddress(a.address()).equals(name)).findFirst();
        if (known.isEmpty()) {
            response.getHeader().setRcode(Rcode.REFUSED);
            return;
        }
        response.getHeader().setFlag(Flags.AA);
        if (type == Type.PTR || type == Type.ANY) {
            nameOf(known.get().hostname().orElseThrow()).ifPresent(target ->
                    response.addRecord(new PTRRecord(name, DClass.IN, TTL, target), Section.ANSWER));
        }
    }

    /** A machine's name in the zone: its hostname under the zone, or as written when it ends in the zone. */
    Optional<Name> nameOf(String hostname) {
        try {
            String lower = hostname.toLowerCase(Locale.ROOT);
            Name name = lower.endsWith("." + zone.toString(true).toLowerCase(Locale.ROOT))
                    ? Name.fromString(hostname, Name.root) : Name.fromString(hostname, zone);
            return Optional.of(name).filter(n -> n.subdomain(zone));
        } catch (TextParseException e) {
            return Optional.empty(); // not a name DNS can carry: that machine has none here
        }
    }

    /** Whether the address is its machine's now: a bound lease, or a reservation. */
    private static boolean held(Addressing.Address a) {
        return a.state() == Addressing.State.BOUND || a.state() == Addressing.State.RESERVED
                || a.reserved() && a.state() != Addressing.State.QUARANTINED;
    }
}
