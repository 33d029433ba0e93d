package org.bootferry.dhcp6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bootferry.dhcp6.Captures6.*;

import java.util.HexFormat;
import java.util.List;
import org.bootferry.dhcp6.Boot6Answer.Answer;
import org.bootferry.dhcp6.Boot6Answer.Decision;
import org.bootferry.dhcp6.Boot6Answer.Lease;
import org.bootferry.dhcp6.Boot6Answer.NoAnswer;
import org.junit.jupiter.api.Test;

/**
 * The answers are checked against the measured ones: a boot-only answer must be, byte for byte, what
 * the reference's boot-only responder sent and EDK2 booted from (runs proxy6-pxe and http6-proxy).
 */
class Boot6AnswerTest {

    /** The reference boot-only responder's DUID-LL. */
    private static final Duid BOOT_SERVER = new Duid.LinkLayer(1, Opaque.hex("020000000001"));
    private static final String TFTP_URL = "tftp://[fd42::1]/ipxe.efi";
    private static final String HTTP_URL = "http://[fd42::1]/ipxe.efi";
    private static final Lease LEASE = new Lease(address("fd42::112"), 3600, 3600);

    private static Pxe6Request request(Dhcp6Message.ClientServer m) {
        return (Pxe6Request) Pxe6Request.detect(m);
    }

    /** A capture as sent in another run: same client, that run's transaction-id. */
    private static Pxe6Request withXid(String name, int transactionId) {
        Dhcp6Message.ClientServer m = message(name);
        return request(new Dhcp6Message.ClientServer(m.type(), transactionId, m.options()));
    }

    private static Dhcp6Message.ClientServer answered(Decision d) {
        assertThat(d).isInstanceOf(Answer.class);
        return ((Answer) d).message();
    }

    private static String hex(Dhcp6Message m) {
        return HexFormat.of().formatHex(Dhcp6Codec.encode(m));
    }

    @Test
    void bootOnlyAdvertiseAndBinlReplyToEdk2PxeAreTheMeasuredOnes() {
        Dhcp6Message.ClientServer advertise = answered(Boot6Answer.bootOnly(
                withXid(EDK2_PXE_SOLICIT, 0xebd277), BOOT_SERVER, TFTP_URL));
        assertThat(hex(advertise)).isEqualTo(HexFormat.of().formatHex(bytes(BOOTONLY_PXE_ADVERTISE)));

        Dhcp6Message.ClientServer reply = answered(Boot6Answer.bootOnly(
                request(message(EDK2_BINL_REQUEST_4011)), BOOT_SERVER, TFTP_URL));
        assertThat(hex(reply)).isEqualTo(HexFormat.of().formatHex(bytes(BOOTONLY_BINL_REPLY_4011)));
    }

    @Test
    void bootOnlyAdvertiseToEdk2HttpBootIsTheMeasuredOne() {
        Dhcp6Message.ClientServer advertise = answered(Boot6Answer.bootOnly(
                withXid(EDK2_HTTP_SOLICIT, 0x4f40d8), BOOT_SERVER, HTTP_URL));
        assertThat(hex(advertise)).isEqualTo(HexFormat.of().formatHex(bytes(BOOTONLY_HTTP_ADVERTISE)));
    }

    @Test
    void bootOnlyRefusesIpxeAndRequestsForOtherServers() {
        assertThat(Boot6Answer.bootOnly(request(message(IPXE_SOLICIT)), BOOT_SERVER, "http://[fd42::1]/boot.ipxe"))
                .isEqualTo(new NoAnswer("iPXE takes its boot file only from the server that leases its address:"
                        + " a boot-only answer cannot boot it"));
        // EDK2's REQUEST on 547 names dnsmasq's DUID-LLT.
        assertThat(((NoAnswer) Boot6Answer.bootOnly(request(message(EDK2_PXE_REQUEST)), BOOT_SERVER, TFTP_URL))
                .reason()).startsWith("REQUEST for another server");
        Dhcp6Message.ClientServer renew = new Dhcp6Message.ClientServer(Dhcp6MessageType.RENEW, 1,
                message(EDK2_PXE_REQUEST).options());
        assertThat(((NoAnswer) Boot6Answer.bootOnly(request(renew), BOOT_SERVER, TFTP_URL))
                .reason()).isEqualTo("RENEW is not a boot exchange (only SOLICIT and REQUEST are answered here)");
    }

    @Test
    void statefulAdvertiseToEdk2PxeHasTheAddressPreference255AndNoPxeClient() {
        Dhcp6Message.ClientServer advertise = answered(Boot6Answer.stateful(
                request(message(EDK2_PXE_SOLICIT)), BOOT_SERVER, TFTP_URL, LEASE));
        assertThat(advertise.type()).isEqualTo(Dhcp6MessageType.ADVERTISE);
        assertThat(advertise.transactionId()).isEqualTo(message(EDK2_PXE_SOLICIT).transactionId());
        assertThat(advertise.options()).containsExactly(
                new Dhcp6Option.ClientId(new Duid.Uuid(Opaque.hex("78563412bc9af0de0123456789abcdef"))),
                new Dhcp6Option.ServerId(BOOT_SERVER),
                new Dhcp6Option.IaNa(0x7f0577feL, 1800, 2880,
                        List.of(new Dhcp6Option.IaAddress(address("fd42::112"), 3600, 3600, List.of()))),
                new Dhcp6Option.Preference(255),
                new Dhcp6Option.BootfileUrl(TFTP_URL));
    }

    @Test
    void statefulReplyAnswersOnlyARequestForUsAndCarriesNoPreference() {
        Dhcp6Message.ClientServer ours = message(EDK2_PXE_REQUEST);
        List<Dhcp6Option> options = new java.util.ArrayList<>(ours.options());
        options.replaceAll(o -> o instanceof Dhcp6Option.ServerId ? new Dhcp6Option.ServerId(BOOT_SERVER) : o);
        Dhcp6Message.ClientServer reply = answered(Boot6Answer.stateful(request(
                new Dhcp6Message.ClientServer(ours.type(), ours.transactionId(), options)), BOOT_SERVER, TFTP_URL, LEASE));
        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.REPLY);
        assertThat(reply.option(Dhcp6Option.Preference.class)).isEmpty();
        assertThat(reply.option(Dhcp6Option.IaNa.class).orElseThrow().addresses()).hasSize(1);
        assertThat(Boot6Answer.stateful(request(ours), BOOT_SERVER, TFTP_URL, LEASE)).isInstanceOf(NoAnswer.class);
    }

    @Test
    void statefulAnswersToHttpBootAndIpxeCarryTheirUrls() {
        Dhcp6Message.ClientServer http = answered(Boot6Answer.stateful(
                request(message(EDK2_HTTP_SOLICIT)), BOOT_SERVER, HTTP_URL, LEASE));
        assertThat(http.option(Dhcp6Option.VendorClass.class))
                .contains(new Dhcp6Option.VendorClass(343, List.of(Opaque.ascii("HTTPClient"))));
        assertThat(http.option(Dhcp6Option.BootfileUrl.class)).contains(new Dhcp6Option.BootfileUrl(HTTP_URL));

        Dhcp6Message.ClientServer ipxe = answered(Boot6Answer.stateful(
                request(message(IPXE_SOLICIT)), BOOT_SERVER, "http://boot.example/boot.ipxe?mac=52-54-00-12-34-56", LEASE));
        assertThat(ipxe.option(Dhcp6Option.IaNa.class).orElseThrow().iaid()).isEqualTo(0xaa55b0dfL);
        assertThat(ipxe.option(Dhcp6Option.VendorClass.class)).isEmpty();
    }

    @Test
    void edk2NeverGetsAnAdvertiseWithNeitherAnAddressNorPxeClient() {
        for (Decision d : List.of(
                Boot6Answer.bootOnly(request(message(EDK2_PXE_SOLICIT)), BOOT_SERVER, TFTP_URL),
                Boot6Answer.stateful(request(message(EDK2_PXE_SOLICIT)), BOOT_SERVER, TFTP_URL, LEASE))) {
            Dhcp6Message.ClientServer m = answered(d);
            boolean address = m.option(Dhcp6Option.IaNa.class).map(ia -> !ia.addresses().isEmpty()).orElse(false);
            boolean pxeClient = m.option(Dhcp6Option.VendorClass.class)
                    .map(v -> v.data().contains(Opaque.ascii("PXEClient"))).orElse(false);
            assertThat(address || pxeClient).as(m.toString()).isTrue();
            // Both at once would send EDK2 to port 4011 after taking the address (pxe6-binl).
            assertThat(address && pxeClient).as(m.toString()).isFalse();
        }
    }

    @Test
    void urlsEdk2CannotReadAreRefused() {
        assertThatThrownBy(() -> Boot6Answer.bootOnly(request(message(EDK2_PXE_SOLICIT)), BOOT_SERVER,
                "tftp://boot.example/ipxe.efi")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be tftp://[IPv6-literal]/path: EDK2 takes no host names");
        assertThatThrownBy(() -> Boot6Answer.bootOnly(request(message(EDK2_HTTP_SOLICIT)), BOOT_SERVER, TFTP_URL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be http://[");
        assertThatThrownBy(() -> Boot6Answer.stateful(request(message(IPXE_SOLICIT)), BOOT_SERVER, TFTP_URL, LEASE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("for iPXE must be http://");
    }
}
