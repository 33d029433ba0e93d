package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DhcpCodecTest {

    private static final MacAddress VM = MacAddress.parse("52:54:00:12:34:56");
    private static final String UUID_OPTION = "0011111111222233334444555555555555";

    @Test
    void edk2DiscoverDecodesHeaderAndOptionsInWireOrder() {
        DhcpMessage m = Captures.message(Captures.EDK2_X64_DISCOVER);

        assertThat(m.op()).isEqualTo(DhcpMessage.BOOTREQUEST);
        assertThat(m.mac()).isEqualTo(VM);
        assertThat(m.ciaddr()).isEqualTo(DhcpMessage.ZERO);
        assertThat(m.giaddr()).isEqualTo(DhcpMessage.ZERO);
        assertThat(m.messageType()).contains(DhcpMessageType.DISCOVER);
        assertThat(m.options()).extracting(DhcpOption::code).containsExactly(53, 57, 55, 97, 94, 93, 60);
        assertThat(hex(m, 93)).isEqualTo("0007");
        assertThat(hex(m, 57)).isEqualTo("05c0");
        assertThat(hex(m, 97)).isEqualTo(UUID_OPTION);
        assertThat(m.option(60).orElseThrow().text()).isEqualTo("PXEClient:Arch:00007:UNDI:003000");
        assertThat(m.file()).isEmpty();
    }

    @Test
    void ipxeDiscoverCarriesUserClassAndFeatureOption() {
        DhcpMessage m = Captures.message(Captures.SEABIOS_IPXE_DISCOVER);

        assertThat(m.options()).extracting(DhcpOption::code).containsExactly(53, 57, 93, 94, 60, 77, 55, 175, 61, 97);
        assertThat(m.option(77).orElseThrow().text()).isEqualTo("iPXE");
        assertThat(m.option(175).orElseThrow().length()).isEqualTo(48);
        assertThat(hex(m, 93)).isEqualTo("0000");
    }

    @Test
    void edk2PortFourElevenRequestHasItsOwnOptionOrder() {
        DhcpMessage m = Captures.message(Captures.EDK2_X64_REQUEST_4011);

        assertThat(m.messageType()).contains(DhcpMessageType.REQUEST);
        assertThat(m.options()).extracting(DhcpOption::code).containsExactly(53, 55, 57, 60, 93, 94, 97);
    }

    @Test
    void dnsmasqProxyOfferDecodesAsReply() {
        DhcpMessage m = Captures.message(Captures.DNSMASQ_PROXY_OFFER_EDK2);

        assertThat(m.op()).isEqualTo(DhcpMessage.BOOTREPLY);
        assertThat(m.messageType()).contains(DhcpMessageType.OFFER);
        assertThat(m.siaddr().getHostAddress()).isEqualTo("10.99.0.1");
        assertThat(m.yiaddr()).isEqualTo(DhcpMessage.ZERO);
        assertThat(hex(m, 54)).isEqualTo("0a630001");
        assertThat(m.option(60).orElseThrow().text()).isEqualTo("PXEClient");
    }

    @Test
    void proxyOfferWithPxeMenuKeepsOption43Whole() {
        DhcpMessage m = Captures.message(Captures.DNSMASQ_PROXY_OFFER_BIOS_MENU);

        assertThat(m.option(43).orElseThrow().length()).isEqualTo(50);
        assertThat(BootAnswer.subOption(m.option(43).orElseThrow().value(), 6)).hasValueSatisfying(
                v -> assertThat(v).containsExactly(3));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        Captures.SEABIOS_IPXE_DISCOVER, Captures.SEABIOS_IPXE_REQUEST_4011, Captures.IPXE_UNDIONLY_STAGE2_DISCOVER,
        Captures.EDK2_X64_DISCOVER, Captures.EDK2_X64_REQUEST_4011, Captures.IPXE_EFI_STAGE2_DISCOVER,
        Captures.OVMF_HTTPCLIENT_DISCOVER, Captures.EDK2_ARM64_DISCOVER, Captures.DNSMASQ_PROXY_OFFER_EDK2,
        Captures.DNSMASQ_PROXY_OFFER_BIOS_MENU})
    void everyCaptureSurvivesEncodeAndDecode(String capture) throws MalformedDhcpException {
        DhcpMessage decoded = Captures.message(capture);

        byte[] encoded = DhcpCodec.encode(decoded);

        assertThat(DhcpCodec.decode(encoded)).isEqualTo(decoded);
        assertThat(encoded.length).isGreaterThanOrEqualTo(DhcpCodec.MIN_ENCODED_LENGTH);
        // The firmware laid its options out exactly as we do (no padding inside), so the bytes up to
        // END are identical.
        byte[] original = Captures.bytes(capture);
        int end = endOffset(original);
        assertThat(Arrays.copyOf(encoded, end + 1)).isEqualTo(Arrays.copyOf(original, end + 1));
    }

    @Test
    void overloadedFileAndSnameFieldsAreReadAfterTheOptionsField() throws MalformedDhcpException {
        byte[] b = minimal(new int[] {53, 1, 1, 52, 1, 3, 255});
        // file field (offset 108): option 60 "PXEClient", END
        byte[] vendor = "PXEClient".getBytes(StandardCharsets.US_ASCII);
        b[108] = 60;
        b[109] = (byte) vendor.length;
        System.arraycopy(vendor, 0, b, 110, vendor.length);
        b[110 + vendor.length] = (byte) 255;
        // sname field (offset 44): option 93 = 0007, no END (the field boundary ends it)
        b[44] = 93;
        b[45] = 2;
        b[47] = 7;

        DhcpMessage m = DhcpCodec.decode(b);

        assertThat(m.options()).extracting(DhcpOption::code).as("52 is wire layout, not content").containsExactly(53, 60, 93);
        assertThat(m.option(60).orElseThrow().text()).isEqualTo("PXEClient");
        assertThat(m.file()).isEmpty();
        assertThat(m.sname()).isEmpty();
    }

    @Test
    void splitLongOptionIsJoinedAndSplitAgain() throws MalformedDhcpException {
        String url = "http://10.0.0.1:8080/" + "x".repeat(300);
        DhcpMessage m = withOptions(List.of(new DhcpOption(53, new byte[] {2}), DhcpOption.ofString(67, url)));

        byte[] encoded = DhcpCodec.encode(m);
        DhcpMessage back = DhcpCodec.decode(encoded);

        assertThat(back.option(67).orElseThrow().text()).isEqualTo(url);
        assertThat(encoded[240 + 3]).isEqualTo((byte) 67);
        assertThat(encoded[240 + 4] & 0xFF).isEqualTo(255);
    }

    static Stream<Arguments> malformed() {
        byte[] capture = Captures.bytes(Captures.EDK2_X64_DISCOVER);
        return Stream.of(
                Arguments.of("empty datagram", new byte[0], "truncated: 0 bytes"),
                Arguments.of("header only", Arrays.copyOf(capture, 239), "truncated: 239 bytes"),
                Arguments.of("op 3", patch(capture, 0, 3), "op 3 is neither"),
                Arguments.of("op 0", patch(capture, 0, 0), "op 0 is neither"),
                Arguments.of("token ring htype", patch(capture, 1, 6), "htype 6 is not Ethernet"),
                Arguments.of("huge hlen", patch(capture, 2, 255), "hlen 255 is larger than the 16-byte chaddr"),
                Arguments.of("hlen 8 for Ethernet", patch(capture, 2, 8), "hlen 8 with htype Ethernet"),
                Arguments.of("plain BOOTP, no cookie", patch(capture, 236, 0), "no DHCP magic cookie"),
                Arguments.of("option longer than the message", minimal(new int[] {53, 1, 1, 60, 200, 'P'}),
                        "option 60 at offset 243 of the options claims 200 bytes but only 1 remain"),
                Arguments.of("option without length byte", minimal(new int[] {53, 1, 1, 93}),
                        "option 93 at offset 243 of the options has no length byte"),
                Arguments.of("missing END", minimal(new int[] {53, 1, 1}), "without the END option"),
                Arguments.of("capture cut inside its options", Arrays.copyOf(capture, 260), "claims"),
                Arguments.of("capture without its END", Arrays.copyOf(capture, endOffset(capture)),
                        "without the END option"),
                Arguments.of("overload value 4", minimal(new int[] {53, 1, 1, 52, 1, 4, 255}), "option 52 (overload)"),
                Arguments.of("overload with two bytes", minimal(new int[] {53, 1, 1, 52, 2, 1, 1, 255}),
                        "option 52 (overload)"),
                Arguments.of("overloaded file field overruns", overloadedFileOverrun(), "of the file field claims"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedDatagramGetsAClearReason(String what, byte[] datagram, String reason) {
        assertThatThrownBy(() -> DhcpCodec.decode(datagram))
                .isInstanceOf(MalformedDhcpException.class)
                .hasMessageContaining(reason);
    }

    /** Mutations and cuts of every capture: each either decodes or fails with a reason, never anything else. */
    @Test
    void mutatedCapturesNeverThrowAnythingButMalformed() {
        Random random = new Random(4011);
        int decoded = 0;
        int rejected = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] b = Captures.bytes(Captures.CLIENT_REQUESTS[round % Captures.CLIENT_REQUESTS.length]);
            b = Arrays.copyOf(b, random.nextInt(b.length + 1));
            for (int flips = random.nextInt(4); flips > 0 && b.length > 0; flips--) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            try {
                DhcpMessage m = DhcpCodec.decode(b);
                PxeRequest.detect(m);
                decoded++;
            } catch (MalformedDhcpException e) {
                assertThat(e.getMessage()).isNotBlank();
                rejected++;
            } catch (RuntimeException e) {
                fail("unchecked exception for " + HexFormat.of().formatHex(b), e);
            }
        }
        assertThat(decoded).isPositive();
        assertThat(rejected).isPositive();
    }

    private static String hex(DhcpMessage m, int code) {
        return HexFormat.of().formatHex(m.option(code).orElseThrow().value());
    }

    private static int endOffset(byte[] b) {
        int i = 240;
        while (b[i] != (byte) 255) {
            i += b[i] == 0 ? 1 : 2 + (b[i + 1] & 0xFF);
        }
        return i;
    }

    private static byte[] patch(byte[] original, int offset, int value) {
        byte[] b = original.clone();
        b[offset] = (byte) value;
        return b;
    }

    /** A request header for the VM's MAC, the cookie, then exactly these option bytes. */
    static byte[] minimal(int[] options) {
        byte[] b = new byte[240 + options.length];
        b[0] = 1;
        b[1] = 1;
        b[2] = 6;
        System.arraycopy(VM.toBytes(), 0, b, 28, 6);
        b[236] = 0x63;
        b[237] = (byte) 0x82;
        b[238] = 0x53;
        b[239] = 0x63;
        for (int i = 0; i < options.length; i++) {
            b[240 + i] = (byte) options[i];
        }
        return b;
    }

    private static byte[] overloadedFileOverrun() {
        byte[] b = minimal(new int[] {53, 1, 1, 52, 1, 1, 255});
        b[108 + 120] = 60;
        b[108 + 121] = 20;
        return b;
    }

    private static DhcpMessage withOptions(List<DhcpOption> options) {
        return new DhcpMessage(2, 1, 6, 0, 0x1234, 0, 0, DhcpMessage.ZERO, DhcpMessage.ZERO, DhcpMessage.ZERO,
                DhcpMessage.ZERO, Arrays.copyOf(VM.toBytes(), 16), "", "", options);
    }
}
