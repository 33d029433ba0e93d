package org.bootferry.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bootferry.lang.Ipv4;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The DNS decision on real queries: the datagrams dig 9.18 sent (EDNS, a cookie, RD set). */
class DnsAnswersTest {

    /** {@code dig @127.0.0.1 node-01.lab A}. */
    static final String DIG_A_NODE01_LAB = "f16d01200001000000000001076e6f64652d3031036c6162000001000100002904d0000000"
            + "00000c000a0008ce26cda757236e76";
    /** {@code dig @127.0.0.1 -x 10.20.0.21}. */
    static final String DIG_PTR_10_20_0_21 = "f0a401200001000000000001023231013002323002313007696e2d61646472046172706100"
            + "000c000100002904d000000000000c000a0008af59cb966f0dc246";

    private static final long NOW_PLUS_HOUR = System.currentTimeMillis() + 3_600_000;
    private static final List<Addressing.Address> ADDRESSES = List.of(
            address("10.20.0.21", "52:54:00:00:00:21", "node-01", Addressing.State.RESERVED, true),
            address("10.20.0.100", "52:54:00:00:01:00", "node-02", Addressing.State.BOUND, false),
            address("10.20.0.101", "52:54:00:00:01:01", "gone", Addressing.State.FREE, false));

    private final DnsAnswers answers = new DnsAnswers("lab");

    @Test
    void aMachinesNameIsAnsweredAuthoritativelyWithItsReservedAddress() throws Exception {
        Message query = new Message(HexFormat.of().parseHex(DIG_A_NODE01_LAB));
        Message r = answers.answer(query, ADDRESSES);
        assertThat(r.getHeader().getID()).isEqualTo(0xf16d);
        assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(r.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(r.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(r.getHeader().getFlag(Flags.RA)).as("no recursion offered").isFalse();
        assertThat(r.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("10.20.0.21");
        assertThat(r.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(DnsAnswers.TTL);
        assertThat(r.getOPT().getPayloadSize()).isEqualTo(DnsAnswers.EDNS_PAYLOAD);
        assertThat(new Message(r.toWire()).getSection(Section.ANSWER)).hasSize(1);
    }

    @Test
    void theReverseNameOfAKnownAddressIsItsMachinesName() throws Exception {
        Message r = answers.answer(new Message(HexFormat.of().parseHex(DIG_PTR_10_20_0_21)), ADDRESSES);
        assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(r.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("node-01.lab.");
    }

    @Test
    void aBoundLeaseIsAnsweredAndAFreeOneIsNot() throws Exception {
        assertThat(answer("node-02.lab.", Type.A).getSection(Section.ANSWER)).extracting(Record::rdataToString)
                .containsExactly("10.20.0.100");
        Message gone = answer("gone.lab.", Type.A);
        assertThat(gone.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(gone.getSection(Section.AUTHORITY)).extracting(Record::getType).containsExactly(Type.SOA);
        assertThat(answer("101.0.20.10.in-addr.arpa.", Type.PTR).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void aKnownNameWithoutThatTypeIsEmptyAndNamesOutsideTheZoneAreRefused() throws Exception {
        Message aaaa = answer("node-01.lab.", Type.AAAA);
        assertThat(aaaa.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(aaaa.getSection(Section.ANSWER)).isEmpty();
        assertThat(aaaa.getSection(Section.AUTHORITY)).extracting(Record::getType).containsExactly(Type.SOA);
        Message apex = answer("lab.", Type.SOA);
        assertThat(apex.getSection(Section.ANSWER)).extracting(Record::getType).containsExactly(Type.SOA);
        Message outside = answer("example.org.", Type.A);
        assertThat(outside.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(outside.getHeader().getFlag(Flags.AA)).isFalse();
        assertThat(outside.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void aHostnameWrittenWithTheZoneIsNotDoubled() {
        assertThat(answers.nameOf("node-03.lab")).contains(Name.fromConstantString("node-03.lab."));
        assertThat(answers.nameOf("node-03")).contains(Name.fromConstantString("node-03.lab."));
        assertThat(answers.nameOf("node.other")).contains(Name.fromConstantString("node.other.lab."));
    }

    private Message answer(String name, int type) throws Exception {
        Message query = Message.newQuery(Record.newRecord(Name.fromString(name), type, 1));
        return answers.answer(new Message(query.toWire()), ADDRESSES);
    }

    private static Addressing.Address address(String ip, String mac, String host, Addressing.State state,
                                              boolean reserved) {
        Inet4Address a = Ipv4.parse(ip).orElseThrow();
        return new Addressing.Address(a, Optional.of(MacAddress.parse(mac)), Optional.of(host), state,
                state == Addressing.State.RESERVED ? 0 : NOW_PLUS_HOUR, reserved, "interface br-prov");
    }
}
