package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.bootferry.lang.Ipv4;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Which requests the ProxyDHCP responder answers at all, with captured DISCOVERs (EDK2's, its
 * chaddr and giaddr rewritten) on a clock of the test's own: relay agents on known networks only, a
 * bound per MAC and one for all, each drop counted and logged once per client and reason a minute.
 */
class AnswerGateTest {

    private static final long SECOND = 1_000_000_000L;
    private static final InetSocketAddress SENDER = new InetSocketAddress("10.20.0.1", 67);
    private static final List<Ipv4.Network> CONNECTED = List.of(net("192.0.2.0/24"));

    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final AtomicReference<ProxyLimits> limits = new AtomicReference<>(ProxyLimits.DEFAULTS);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Logger gateLog = (Logger) LoggerFactory.getLogger(AnswerGate.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private AnswerGate gate;

    @BeforeEach
    void start() {
        logged.start();
        gateLog.addAppender(logged);
        gate = new AnswerGate(DhcpSettings.defaults(), limits::get, () -> CONNECTED, registry, clock::get);
    }

    @AfterEach
    void stop() {
        gateLog.detachAppender(logged);
    }

    @Test
    void aRequestFromTheClientsLinkAndOneRelayedFromAConnectedNetworkAreAnswered() {
        assertThat(gate.relayKnown(discover(1, "0.0.0.0"), SENDER)).isTrue();
        assertThat(gate.relayKnown(discover(1, "192.0.2.1"), SENDER)).isTrue();
        assertThat(dropped("relay")).isZero();
        assertThat(logged.list).isEmpty();
    }

    @Test
    void aRelayOnNoKnownNetworkIsDroppedCountedAndLoggedOnceAMinuteWithTheCountHeldBack() {
        for (int i = 0; i < 1000; i++) {
            assertThat(gate.relayKnown(discover(i, "203.0.113.1"), SENDER)).isFalse();
        }
        assertThat(dropped("relay")).isEqualTo(1000);
        assertThat(messages()).containsExactly("not answering 00:00:00:00:00:00 relayed by 203.0.113.1 (from"
                + " 10.20.0.1): the relay agent is on no network of this host and none in proxyDhcp.relaySubnets");

        clock.addAndGet(60 * SECOND);
        gate.relayKnown(discover(7, "203.0.113.1"), SENDER);
        assertThat(messages()).hasSize(2);
        assertThat(messages().get(1)).endsWith("(and 999 more times since the last line)");
    }

    @Test
    void aConfiguredRelaySubnetIsAnsweredFromTheNextRequestOn() {
        assertThat(gate.relayKnown(discover(1, "203.0.113.1"), SENDER)).isFalse();

        limits.set(new ProxyLimits(5000, List.of(net("203.0.113.0/24"))));

        assertThat(gate.relayKnown(discover(1, "203.0.113.1"), SENDER)).isTrue();
        assertThat(gate.relayKnown(discover(1, "203.0.114.1"), SENDER)).isFalse();
    }

    @Test
    void oneMacIsBoundedByItsBurstAndRate() {
        int answered = 0;
        for (int i = 0; i < 100; i++) {
            answered += gate.withinRates(discover(1, "0.0.0.0")) ? 1 : 0;
        }
        assertThat(answered).as("the per-MAC burst").isEqualTo(DhcpSettings.defaults().answersPerMac());
        assertThat(dropped("per-mac")).isEqualTo(100 - answered);
        assertThat(messages()).containsExactly("not answering 00:00:00:00:00:01: it asked more often than 12 at once"
                + " and 2.0 a second, the per-MAC limit");

        clock.addAndGet(SECOND);
        assertThat(gate.withinRates(discover(1, "0.0.0.0"))).isTrue();
        assertThat(gate.withinRates(discover(1, "0.0.0.0"))).isTrue();
        assertThat(gate.withinRates(discover(1, "0.0.0.0"))).as("2 a second").isFalse();
    }

    @Test
    void allClientsTogetherGetAtMostTheTotalASecondAndOneLineSaysSo() {
        limits.set(new ProxyLimits(100, List.of()));
        int answered = 0;
        for (int mac = 0; mac < 1000; mac++) {
            answered += gate.withinRates(discover(mac, "0.0.0.0")) ? 1 : 0;
        }
        assertThat(answered).as("one second's worth at once").isEqualTo(100);
        assertThat(dropped("total")).isEqualTo(900);
        assertThat(messages()).containsExactly("not answering 00:00:00:00:00:64: the responder answers at most 100"
                + " requests a second from all clients (proxyDhcp.maxAnswersPerSecond)");

        clock.addAndGet(SECOND / 2);
        answered = 0;
        for (int mac = 1000; mac < 2000; mac++) {
            answered += gate.withinRates(discover(mac, "0.0.0.0")) ? 1 : 0;
        }
        assertThat(answered).as("half a second refills half").isEqualTo(50);
        assertThat(messages()).as("still within the minute: no second line").hasSize(1);
    }

    @Test
    void aRateEditedDownAppliesToTheNextRequest() {
        for (int mac = 0; mac < 10; mac++) {
            assertThat(gate.withinRates(discover(mac, "0.0.0.0"))).isTrue();
        }
        limits.set(new ProxyLimits(1, List.of()));

        assertThat(gate.withinRates(discover(10, "0.0.0.0"))).as("the bucket holds one at most now").isTrue();
        assertThat(gate.withinRates(discover(11, "0.0.0.0"))).isFalse();
    }

    private PxeRequest discover(int mac, String giaddr) {
        DhcpMessage d = Captures.message(Captures.EDK2_X64_DISCOVER);
        byte[] chaddr = Arrays.copyOf(new MacAddress(mac).toBytes(), 16);
        Inet4Address relay = Ipv4.parse(giaddr).orElseThrow();
        DhcpMessage m = new DhcpMessage(d.op(), d.htype(), d.hlen(), relay.equals(DhcpMessage.ZERO) ? 0 : 1, d.xid(),
                d.secs(), d.flags(), d.ciaddr(), d.yiaddr(), d.siaddr(), relay, chaddr, d.sname(), d.file(), d.options());
        return (PxeRequest) PxeRequest.detect(m);
    }

    private double dropped(String reason) {
        return registry.counter("bootferry_dhcp_dropped", "reason", reason).count();
    }

    private List<String> messages() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static Ipv4.Network net(String text) {
        return Ipv4.Network.parse(text).orElseThrow();
    }
}
