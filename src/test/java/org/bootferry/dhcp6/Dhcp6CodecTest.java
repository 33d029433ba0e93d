package org.bootferry.dhcp6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bootferry.dhcp6.Captures6.*;

import java.util.HexFormat;
import java.util.List;
import org.bootferry.dhcp6.Dhcp6Option.BootfileUrl;
import org.bootferry.dhcp6.Dhcp6Option.ClientArchType;
import org.bootferry.dhcp6.Dhcp6Option.ClientId;
import org.bootferry.dhcp6.Dhcp6Option.ElapsedTime;
import org.bootferry.dhcp6.Dhcp6Option.IaAddress;
import org.bootferry.dhcp6.Dhcp6Option.IaNa;
import org.bootferry.dhcp6.Dhcp6Option.NetworkInterfaceId;
import org.bootferry.dhcp6.Dhcp6Option.OptionRequest;
import org.bootferry.dhcp6.Dhcp6Option.Preference;
import org.bootferry.dhcp6.Dhcp6Option.ServerId;
import org.bootferry.dhcp6.Dhcp6Option.StatusCode;
import org.bootferry.dhcp6.Dhcp6Option.UserClass;
import org.bootferry.dhcp6.Dhcp6Option.VendorClass;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;

/** The real messages of reference/ipv6/runs, decoded field by field as its README lists them. */
class Dhcp6CodecTest {

    private static final Duid EDK2_UUID = new Duid.Uuid(Opaque.hex("78563412bc9af0de0123456789abcdef"));
    private static final Duid IPXE_UUID = new Duid.Uuid(Opaque.hex("123456789abcdef00123456789abcdef"));
    private static final Duid DNSMASQ_ID = new Duid.LinkLayerTime(1, 849639038L, Opaque.hex("020000000001"));
    private static final Duid BOOT_SERVER_ID = new Duid.LinkLayer(1, Opaque.hex("020000000001"));

    private static List<Integer> codes(Dhcp6Message m) {
        return m.options().stream().map(Dhcp6Option::code).toList();
    }

    @Test
    void edk2AutoconfigSolicitLooksLikeAnyHost() {
        Dhcp6Message.ClientServer m = message(EDK2_AUTOCONFIG_SOLICIT);
        assertThat(m.type()).isEqualTo(Dhcp6MessageType.SOLICIT);
        assertThat(m.transactionId()).isEqualTo(0x5ed93e);
        assertThat(codes(m)).containsExactly(1, 8, 3, 6);
        assertThat(m.option(ClientId.class).orElseThrow().duid()).isEqualTo(EDK2_UUID);
        IaNa ia = m.option(IaNa.class).orElseThrow();
        assertThat(List.of(ia.t1(), ia.t2())).containsExactly(0xFFFF_FFFFL, 0xFFFF_FFFFL);
        assertThat(ia.addresses()).isEmpty();
        assertThat(m.option(OptionRequest.class).orElseThrow().codes()).containsExactly(23);
    }

    @Test
    void edk2PxeSolicitNamesArch7AndPxeClient() {
        Dhcp6Message.ClientServer m = message(EDK2_PXE_SOLICIT);
        assertThat(codes(m)).containsExactly(1, 8, 3, 6, 62, 61, 16);
        assertThat(m.option(OptionRequest.class).orElseThrow().codes()).containsExactly(59, 60, 23, 16);
        assertThat(m.option(NetworkInterfaceId.class)).contains(new NetworkInterfaceId(1, 3, 0));
        assertThat(m.option(ClientArchType.class).orElseThrow().architectures()).containsExactly(7);
        assertThat(m.option(VendorClass.class)).contains(
                new VendorClass(343, List.of(Opaque.ascii("PXEClient:Arch:00007:UNDI:003000"))));
        assertThat(m.option(IaNa.class).orElseThrow().iaid()).isEqualTo(0x7f0577feL);
    }

    @Test
    void dnsmasqAdvertiseAndReplyCarryTheAddressAndTheTftpUrl() {
        for (String name : List.of(DNSMASQ_PXE_ADVERTISE, DNSMASQ_PXE_REPLY)) {
            Dhcp6Message.ClientServer m = message(name);
            assertThat(m.option(ServerId.class).orElseThrow().duid()).isEqualTo(DNSMASQ_ID);
            assertThat(m.option(ServerId.class).orElseThrow().duid().mac())
                    .contains(MacAddress.parse("02:00:00:00:00:01"));
            IaNa ia = m.option(IaNa.class).orElseThrow();
            assertThat(List.of(ia.iaid(), ia.t1(), ia.t2())).containsExactly(0x7f0577feL, 1800L, 3150L);
            assertThat(ia.addresses()).containsExactly(new IaAddress(address("fd42::112"), 3600, 3600, List.of()));
            assertThat(m.option(StatusCode.class)).contains(new StatusCode(0, "success"));
            assertThat(m.option(BootfileUrl.class)).contains(new BootfileUrl("tftp://[fd42::1]/ipxe.efi"));
        }
        assertThat(message(DNSMASQ_PXE_ADVERTISE).type()).isEqualTo(Dhcp6MessageType.ADVERTISE);
        assertThat(codes(message(DNSMASQ_PXE_ADVERTISE))).containsExactly(1, 2, 3, 13, 7, 59);
        assertThat(message(DNSMASQ_PXE_ADVERTISE).option(Preference.class)).contains(new Preference(0));
        assertThat(message(DNSMASQ_PXE_REPLY).type()).isEqualTo(Dhcp6MessageType.REPLY);
    }

    @Test
    void edk2RequestEchoesTheServerIdAndTheOfferedAddress() {
        Dhcp6Message.ClientServer m = message(EDK2_PXE_REQUEST);
        assertThat(m.type()).isEqualTo(Dhcp6MessageType.REQUEST);
        assertThat(codes(m)).containsExactly(1, 8, 2, 3, 6, 62, 61, 16);
        assertThat(m.option(ServerId.class).orElseThrow().duid()).isEqualTo(DNSMASQ_ID);
        assertThat(m.option(IaNa.class).orElseThrow().addresses().get(0).address()).isEqualTo(address("fd42::112"));
        // A new xid per message (README): the REQUEST's is not the SOLICIT's.
        assertThat(m.transactionId()).isNotEqualTo(message(EDK2_PXE_SOLICIT).transactionId());
    }

    @Test
    void releaseIsAnsweredWithAStatus() {
        Dhcp6Message.ClientServer release = message(EDK2_RELEASE);
        assertThat(release.type()).isEqualTo(Dhcp6MessageType.RELEASE);
        assertThat(codes(release)).containsExactly(1, 2, 8, 3);
        Dhcp6Message.ClientServer reply = message(DNSMASQ_RELEASE_REPLY);
        assertThat(reply.transactionId()).isEqualTo(release.transactionId());
        assertThat(reply.option(StatusCode.class)).contains(new StatusCode(StatusCode.SUCCESS, "release received"));
    }

    @Test
    void ipxeSolicitSendsUserClassIpxeAndReusesItsXidInTheRequest() {
        Dhcp6Message.ClientServer m = message(IPXE_SOLICIT);
        assertThat(m.transactionId()).isEqualTo(0x0837ef);
        assertThat(codes(m)).containsExactly(1, 3, 6, 16, 61, 62, 15, 8);
        assertThat(m.option(ClientId.class).orElseThrow().duid()).isEqualTo(IPXE_UUID);
        IaNa ia = m.option(IaNa.class).orElseThrow();
        assertThat(List.of(ia.iaid(), ia.t1(), ia.t2())).containsExactly(0xaa55b0dfL, 0L, 0L);
        assertThat(m.option(OptionRequest.class).orElseThrow().codes()).containsExactly(23, 24, 59, 60);
        assertThat(m.option(VendorClass.class)).contains(
                new VendorClass(343, List.of(Opaque.ascii("PXEClient:Arch:00007:UNDI:003010"))));
        assertThat(m.option(NetworkInterfaceId.class)).contains(new NetworkInterfaceId(1, 3, 10));
        assertThat(m.option(UserClass.class)).contains(new UserClass(List.of(Opaque.ascii("iPXE"))));
        assertThat(m.option(ElapsedTime.class)).contains(new ElapsedTime(0));

        Dhcp6Message.ClientServer request = message(IPXE_REQUEST);
        assertThat(request.type()).isEqualTo(Dhcp6MessageType.REQUEST);
        assertThat(request.transactionId()).isEqualTo(0x0837ef);
        assertThat(request.option(IaNa.class).orElseThrow().addresses())
                .containsExactly(new IaAddress(address("fd42::163"), 0, 0, List.of()));
        assertThat(message(DNSMASQ_IPXE_REPLY).option(BootfileUrl.class))
                .contains(new BootfileUrl("http://[fd42::1]/boot.ipxe"));
        assertThat(message(DNSMASQ_IPXE_ADVERTISE).option(IaNa.class).orElseThrow().addresses().get(0).address())
                .isEqualTo(address("fd42::163"));
    }

    @Test
    void edk2HttpBootSendsArch16AndHttpClient() {
        for (String name : List.of(EDK2_HTTP_SOLICIT, EDK2_HTTP_REQUEST)) {
            Dhcp6Message.ClientServer m = message(name);
            assertThat(m.option(ClientArchType.class).orElseThrow().architectures()).containsExactly(16);
            assertThat(m.option(VendorClass.class)).contains(
                    new VendorClass(343, List.of(Opaque.ascii("HTTPClient:Arch:00016:UNDI:003000"))));
        }
    }

    @Test
    void bootOnlyAdvertisesCarryNoIaNa() {
        Dhcp6Message.ClientServer http = message(BOOTONLY_HTTP_ADVERTISE);
        assertThat(codes(http)).containsExactly(2, 1, 59, 16);
        assertThat(http.option(ServerId.class).orElseThrow().duid()).isEqualTo(BOOT_SERVER_ID);
        assertThat(http.option(ClientId.class).orElseThrow().duid()).isEqualTo(EDK2_UUID);
        assertThat(http.option(BootfileUrl.class)).contains(new BootfileUrl("http://[fd42::1]/ipxe.efi"));
        assertThat(http.option(VendorClass.class)).contains(new VendorClass(343, List.of(Opaque.ascii("HTTPClient"))));

        Dhcp6Message.ClientServer pxe = message(BOOTONLY_PXE_ADVERTISE);
        assertThat(codes(pxe)).containsExactly(2, 1, 59, 16);
        assertThat(pxe.option(BootfileUrl.class)).contains(new BootfileUrl("tftp://[fd42::1]/ipxe.efi"));
        assertThat(pxe.option(VendorClass.class)).contains(new VendorClass(343, List.of(Opaque.ascii("PXEClient"))));
    }

    @Test
    void edk2BinlRequestOn4011ReusesTheAdvertiseXidAndHasNoIaNa() {
        Dhcp6Message.ClientServer request = message(EDK2_BINL_REQUEST_4011);
        assertThat(request.type()).isEqualTo(Dhcp6MessageType.REQUEST);
        assertThat(request.transactionId()).isEqualTo(message(BOOTONLY_PXE_ADVERTISE).transactionId());
        assertThat(codes(request)).containsExactly(2, 1, 8, 6, 62, 61, 16);
        assertThat(request.option(ServerId.class).orElseThrow().duid()).isEqualTo(BOOT_SERVER_ID);
        assertThat(request.option(ElapsedTime.class)).contains(new ElapsedTime(900));

        Dhcp6Message.ClientServer reply = message(BOOTONLY_BINL_REPLY_4011);
        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.REPLY);
        assertThat(reply.transactionId()).isEqualTo(request.transactionId());
        assertThat(reply.option(BootfileUrl.class)).contains(new BootfileUrl("tftp://[fd42::1]/ipxe.efi"));
    }

    @Test
    void dnsmasqsOption16WorkaroundIsRefusedWithWhereItBreaks() {
        // dnsmasq writes option6:16 as <len16><string>; "XXXXHTTPClient" made 000e5858 the enterprise
        // number and 0x5858 the first item's length (reference/ipv6/README.md, dnsmasq notes).
        assertThatThrownBy(() -> Dhcp6Codec.decode(bytes(DNSMASQ_HTTP_ADVERTISE_MISENCODED_16)))
                .isInstanceOf(MalformedDhcp6Exception.class)
                .hasMessageContaining("option 16 (VENDOR_CLASS) at byte 106")
                .hasMessageContaining("vendor-class-data item 1 claims 22616 bytes but only 10 remain");
    }

    @Test
    void everyCaptureEncodesBackToItsOwnBytes() throws Exception {
        for (String name : WELL_FORMED) {
            byte[] wire = bytes(name);
            Dhcp6Message m = Dhcp6Codec.decode(wire);
            assertThat(HexFormat.of().formatHex(Dhcp6Codec.encode(m))).as(name).isEqualTo(HexFormat.of().formatHex(wire));
            assertThat(Dhcp6Codec.decode(Dhcp6Codec.encode(m))).as(name).isEqualTo(m);
        }
    }
}
