package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bootferry.machine.ClientArch;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ProxyDHCP decision for each real client, with the real planner over a real config directory. */
class ProxyDhcpTest {

    private static final MacAddress VM = MacAddress.parse("52:54:00:12:34:56");
    private static final String SERVER = "10.99.0.1";
    private static final String SCRIPT_URL = "http://10.99.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/boot.ipxe";
    private static final InetSocketAddress FROM_68 = new InetSocketAddress("0.0.0.0", 68);
    private static final String UUID_OPTION = "0011111111222233334444555555555555";

    @TempDir
    Path config;
    private ProxyDhcp proxy;

    @BeforeEach
    void planner() {
        proxy = new ProxyDhcp(BootConfig.planner(config, SERVER, VM), 68, 67);
    }

    @Test
    void uefiPxeDiscoverGetsIpxeEfiAndPxeClient() throws Exception {
        DhcpMessage discover = Captures.message(Captures.EDK2_X64_DISCOVER);

        ProxyDhcp.Reply reply = reply(discover, ProxyDhcp.Listener.DHCP, FROM_68);

        DhcpMessage offer = reply.message();
        assertThat(offer.messageType()).contains(DhcpMessageType.OFFER);
        assertThat(offer.op()).isEqualTo(DhcpMessage.BOOTREPLY);
        assertThat(offer.xid()).isEqualTo(discover.xid());
        assertThat(offer.chaddr()).isEqualTo(discover.chaddr());
        assertThat(offer.flags()).isEqualTo(discover.flags());
        assertThat(offer.yiaddr()).isEqualTo(DhcpMessage.ZERO);
        assertThat(offer.siaddr().getHostAddress()).isEqualTo(SERVER);
        assertThat(offer.file()).isEqualTo("ipxe.efi");
        assertThat(offer.options()).extracting(DhcpOption::code).containsExactly(53, 54, 60, 97, 43, 67);
        assertThat(hex(offer, 54)).isEqualTo("0a630001");
        assertThat(text(offer, 60)).isEqualTo("PXEClient");
        assertThat(hex(offer, 97)).isEqualTo(UUID_OPTION);
        // PXE_DISCOVERY_CONTROL = 8: boot the file named here, no menu, no boot-server discovery.
        assertThat(hex(offer, 43)).isEqualTo("060108ff");
        assertThat(text(offer, 67)).isEqualTo("ipxe.efi");
        assertThat(reply.recipient()).isEqualTo(new InetSocketAddress("255.255.255.255", 68));
        assertThat(DhcpCodec.decode(DhcpCodec.encode(offer))).isEqualTo(offer);
    }

    @Test
    void ipxeDiscoverGetsHttpScriptUrl() {
        DhcpMessage offer = reply(Captures.message(Captures.SEABIOS_IPXE_DISCOVER), ProxyDhcp.Listener.DHCP, FROM_68).message();

        assertThat(offer.file()).isEqualTo(SCRIPT_URL);
        assertThat(text(offer, 67)).isEqualTo(SCRIPT_URL);
        assertThat(offer.siaddr().getHostAddress()).isEqualTo(SERVER);
        assertThat(text(offer, 60)).isEqualTo("PXEClient");
    }

    @Test
    void stageTwoIpxeWithShortVendorClassIsStillBiosByOption93() {
        PxeRequest request = detected(Captures.message(Captures.IPXE_UNDIONLY_STAGE2_DISCOVER));
        DhcpMessage offer = reply(request.message(), ProxyDhcp.Listener.DHCP, FROM_68).message();

        assertThat(request.firmware()).isEqualTo(Firmware.BIOS);
        assertThat(request.ipxe()).isTrue();
        assertThat(offer.file()).isEqualTo(SCRIPT_URL);
    }

    @Test
    void ipxeEfiAfterEdk2GetsTheScriptToo() {
        PxeRequest request = detected(Captures.message(Captures.IPXE_EFI_STAGE2_DISCOVER));

        assertThat(request.firmware()).isEqualTo(Firmware.EFI_X64);
        assertThat(request.ipxe()).isTrue();
        assertThat(reply(request.message(), ProxyDhcp.Listener.DHCP, FROM_68).message().file()).isEqualTo(SCRIPT_URL + "?firmware=efi-x64");
    }

    @Test
    void httpClientDiscoverGetsUrlAndHttpClientVendorClass() {
        PxeRequest request = detected(Captures.message(Captures.OVMF_HTTPCLIENT_DISCOVER));
        DhcpMessage offer = reply(request.message(), ProxyDhcp.Listener.DHCP, FROM_68).message();

        assertThat(request.firmware()).isEqualTo(Firmware.HTTP_X64);
        assertThat(text(offer, 60)).isEqualTo("HTTPClient");
        assertThat(text(offer, 67)).isEqualTo("http://10.99.0.1:8080/boot/" + request.mac().dashed() + "/tftp/ipxe.efi");
        assertThat(offer.file()).isEqualTo("http://10.99.0.1:8080/boot/" + request.mac().dashed() + "/tftp/ipxe.efi");
        assertThat(offer.option(43)).isEmpty();
        assertThat(offer.siaddr().getHostAddress()).isEqualTo(SERVER);
        assertThat(offer.yiaddr()).isEqualTo(DhcpMessage.ZERO);
    }

    @Test
    void arm64Edk2DiscoverGetsItsOwnLoader() {
        PxeRequest request = detected(Captures.message(Captures.EDK2_ARM64_DISCOVER));

        assertThat(request.arch()).isEqualTo(ClientArch.ARM64_UEFI);
        assertThat(reply(request.message(), ProxyDhcp.Listener.DHCP, FROM_68).message().file()).isEqualTo("snp.efi");
    }

    @Test
    void port4011RequestIsAckedToItsSourcePort() {
        InetSocketAddress edk2 = new InetSocketAddress("10.99.0.61", 4011);

        ProxyDhcp.Reply reply = reply(Captures.message(Captures.EDK2_X64_REQUEST_4011), ProxyDhcp.Listener.PXE, edk2);

        assertThat(reply.recipient()).isEqualTo(edk2);
        DhcpMessage ack = reply.message();
        assertThat(ack.messageType()).contains(DhcpMessageType.ACK);
        assertThat(ack.file()).isEqualTo("ipxe.efi");
        assertThat(ack.siaddr().getHostAddress()).isEqualTo(SERVER);
        assertThat(ack.options()).extracting(DhcpOption::code).containsExactly(53, 54, 60, 97, 67);
    }

    @Test
    void ipxeBootServerRequestFromPort68GetsItsBootItemEchoed() {
        InetSocketAddress ipxe = new InetSocketAddress("10.99.0.61", 68);
        DhcpMessage request = Captures.message(Captures.SEABIOS_IPXE_REQUEST_4011);

        ProxyDhcp.Reply reply = reply(request, ProxyDhcp.Listener.PXE, ipxe);

        assertThat(reply.recipient()).isEqualTo(ipxe);
        assertThat(hex(request, 43)).isEqualTo("470480000000ff");
        assertThat(hex(reply.message(), 43)).isEqualTo("470480000000ff");
        assertThat(reply.message().file()).isEqualTo(SCRIPT_URL);
    }

    @Test
    void unknownMacIsNotAnswered() {
        DhcpMessage stranger = withMac(Captures.message(Captures.EDK2_X64_DISCOVER), MacAddress.parse("52:54:00:99:99:99"));

        ProxyDhcp.Decision decision = decide(stranger, ProxyDhcp.Listener.DHCP, FROM_68);

        assertThat(decision).isInstanceOfSatisfying(ProxyDhcp.Silent.class,
                s -> assertThat(s.reason()).contains("no boot for 52:54:00:99:99:99"));
    }

    @Test
    void intelRomWithoutUuidIsAnsweredWithoutOption97() {
        DhcpMessage discover = without(Captures.message(Captures.EDK2_X64_DISCOVER), DhcpOptionCode.CLIENT_UUID);

        DhcpMessage offer = reply(discover, ProxyDhcp.Listener.DHCP, FROM_68).message();

        assertThat(offer.option(97)).isEmpty();
        assertThat(offer.file()).isEqualTo("ipxe.efi");
    }

    @Test
    void relayedDiscoverIsAnsweredToTheRelayOnPort67() throws Exception {
        DhcpMessage d = Captures.message(Captures.EDK2_X64_DISCOVER);
        DhcpMessage relayed = new DhcpMessage(d.op(), d.htype(), d.hlen(), 1, d.xid(), d.secs(), d.flags(), d.ciaddr(),
                d.yiaddr(), d.siaddr(), ipv4("10.20.0.1"), d.chaddr(), d.sname(), d.file(), d.options());

        ProxyDhcp.Reply reply = reply(relayed, ProxyDhcp.Listener.DHCP, new InetSocketAddress("10.20.0.1", 67));

        assertThat(reply.recipient()).isEqualTo(new InetSocketAddress("10.20.0.1", 67));
        assertThat(reply.message().giaddr().getHostAddress()).isEqualTo("10.20.0.1");
    }

    @Test
    void discoverFromClientWithAddressIsUnicastToIt() throws Exception {
        DhcpMessage d = Captures.message(Captures.EDK2_X64_DISCOVER);
        DhcpMessage withAddress = new DhcpMessage(d.op(), d.htype(), d.hlen(), 0, d.xid(), d.secs(), d.flags(),
                ipv4("10.99.0.61"), d.yiaddr(), d.siaddr(), d.giaddr(), d.chaddr(), d.sname(), d.file(), d.options());

        assertThat(reply(withAddress, ProxyDhcp.Listener.DHCP, FROM_68).recipient())
                .isEqualTo(new InetSocketAddress("10.99.0.61", 68));
    }

    @Test
    void leaseRequestOn67IsLeftToTheDhcpServerEvenWhenItSharesOurAddress() {
        // dnsmasq on this very host: the client's REQUEST names 10.99.0.1, our address too.
        DhcpMessage request = asRequestFor(Captures.message(Captures.EDK2_X64_DISCOVER), "0a630001");

        assertThat(decide(request, ProxyDhcp.Listener.DHCP, FROM_68)).isInstanceOfSatisfying(ProxyDhcp.Silent.class,
                s -> assertThat(s.reason()).contains("lease REQUEST"));
    }

    @Test
    void bootServerDiscoveryBroadcastOn67IsAckedWithItsBootItem() {
        DhcpMessage request = Captures.message(Captures.SEABIOS_IPXE_REQUEST_4011);

        ProxyDhcp.Reply reply = reply(request, ProxyDhcp.Listener.DHCP, FROM_68);

        assertThat(reply.message().messageType()).contains(DhcpMessageType.ACK);
        assertThat(hex(reply.message(), 43)).isEqualTo("470480000000ff");
        // iPXE holds its lease by then (ciaddr 10.99.0.61): RFC 2131 §4.1 unicasts to it.
        assertThat(reply.recipient()).isEqualTo(new InetSocketAddress("10.99.0.61", 68));
        assertThat(reply.message().ciaddr().getHostAddress()).isEqualTo("10.99.0.61");
    }

    @Test
    void discoverOnThePxePortIsNotAnswered() {
        assertThat(decide(Captures.message(Captures.EDK2_X64_DISCOVER), ProxyDhcp.Listener.PXE, FROM_68))
                .isInstanceOf(ProxyDhcp.Silent.class);
    }

    @Test
    void plainDhcpClientIsNotANetworkBootClient() {
        DhcpMessage plain = without(Captures.message(Captures.EDK2_X64_DISCOVER), DhcpOptionCode.VENDOR_CLASS_IDENTIFIER);

        assertThat(PxeRequest.detect(plain)).isInstanceOfSatisfying(Detection.Ignored.class,
                i -> assertThat(i.reason()).contains("no option 60"));
    }

    @Test
    void itaniumIsKnownByNameButNotBooted() {
        DhcpMessage itanium = withOption(Captures.message(Captures.EDK2_X64_DISCOVER), new DhcpOption(93, new byte[] {0, 2}));

        assertThat(PxeRequest.detect(itanium)).isInstanceOfSatisfying(Detection.Ignored.class,
                i -> assertThat(i.reason()).contains("2 (Itanium) has no loader"));
    }

    @Test
    void architectureWithoutConfiguredLoaderFailsNamingTheSetting() {
        DhcpMessage arm32 = withOption(Captures.message(Captures.EDK2_X64_DISCOVER), new DhcpOption(93, new byte[] {0, 10}));

        assertThat(decide(arm32, ProxyDhcp.Listener.DHCP, FROM_68)).isInstanceOfSatisfying(ProxyDhcp.Failed.class,
                f -> assertThat(f.reason()).contains("no loader for firmware efi-arm32"));
    }

    @Test
    void httpClientClaimingAPxeArchitectureIsNotAnswered() {
        DhcpMessage odd = withOption(Captures.message(Captures.OVMF_HTTPCLIENT_DISCOVER), new DhcpOption(93, new byte[] {0, 7}));

        assertThat(PxeRequest.detect(odd)).isInstanceOfSatisfying(Detection.Ignored.class,
                i -> assertThat(i.reason()).contains("contradictory"));
    }

    @Test
    void replyToOurOwnOfferIsIgnored() {
        assertThat(PxeRequest.detect(Captures.message(Captures.DNSMASQ_PROXY_OFFER_EDK2)))
                .isInstanceOf(Detection.Ignored.class);
    }

    private ProxyDhcp.Decision decide(DhcpMessage m, ProxyDhcp.Listener listener, InetSocketAddress sender) {
        return proxy.decide(detected(m), listener, sender, Optional.empty());
    }

    private ProxyDhcp.Reply reply(DhcpMessage m, ProxyDhcp.Listener listener, InetSocketAddress sender) {
        ProxyDhcp.Decision d = decide(m, listener, sender);
        assertThat(d).isInstanceOf(ProxyDhcp.Reply.class);
        return (ProxyDhcp.Reply) d;
    }

    private static PxeRequest detected(DhcpMessage m) {
        Detection d = PxeRequest.detect(m);
        assertThat(d).isInstanceOf(PxeRequest.class);
        return (PxeRequest) d;
    }

    private static String hex(DhcpMessage m, int code) {
        return HexFormat.of().formatHex(m.option(code).orElseThrow().value());
    }

    private static String text(DhcpMessage m, int code) {
        return m.option(code).orElseThrow().text();
    }

    private static Inet4Address ipv4(String a) throws Exception {
        return (Inet4Address) InetAddress.getByName(a);
    }

    private static DhcpMessage withOptions(DhcpMessage d, List<DhcpOption> options) {
        return new DhcpMessage(d.op(), d.htype(), d.hlen(), d.hops(), d.xid(), d.secs(), d.flags(), d.ciaddr(),
                d.yiaddr(), d.siaddr(), d.giaddr(), d.chaddr(), d.sname(), d.file(), options);
    }

    private static DhcpMessage without(DhcpMessage d, int code) {
        return withOptions(d, d.options().stream().filter(o -> o.code() != code).toList());
    }

    /** Replaces the option with the same code, in place. */
    private static DhcpMessage withOption(DhcpMessage d, DhcpOption option) {
        return withOptions(d, d.options().stream().map(o -> o.code() == option.code() ? option : o).toList());
    }

    private static DhcpMessage asRequestFor(DhcpMessage discover, String serverIdHex) {
        List<DhcpOption> options = new ArrayList<>(withOption(discover, new DhcpOption(53, new byte[] {3})).options());
        options.add(new DhcpOption(54, HexFormat.of().parseHex(serverIdHex)));
        return withOptions(discover, options);
    }

    private static DhcpMessage withMac(DhcpMessage d, MacAddress mac) {
        byte[] chaddr = d.chaddr();
        System.arraycopy(mac.toBytes(), 0, chaddr, 0, 6);
        return new DhcpMessage(d.op(), d.htype(), d.hlen(), d.hops(), d.xid(), d.secs(), d.flags(), d.ciaddr(),
                d.yiaddr(), d.siaddr(), d.giaddr(), chaddr, d.sname(), d.file(), d.options());
    }
}
