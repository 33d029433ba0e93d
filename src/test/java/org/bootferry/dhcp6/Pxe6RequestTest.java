package org.bootferry.dhcp6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.dhcp6.Captures6.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bootferry.machine.ClientArch;
import org.bootferry.machine.Firmware;
import org.junit.jupiter.api.Test;

class Pxe6RequestTest {

    private static Pxe6Request request(String name) {
        Pxe6Detection d = Pxe6Request.detect(message(name));
        assertThat(d).as(name).isInstanceOf(Pxe6Request.class);
        return (Pxe6Request) d;
    }

    private static String ignored(Dhcp6Message.ClientServer m) {
        Pxe6Detection d = Pxe6Request.detect(m);
        assertThat(d).isInstanceOf(Pxe6Detection.Ignored.class);
        return ((Pxe6Detection.Ignored) d).reason();
    }

    /** The capture with its options changed: {@code edit} gets a mutable copy of the list. */
    private static Dhcp6Message.ClientServer edited(String name, UnaryOperator<List<Dhcp6Option>> edit) {
        Dhcp6Message.ClientServer m = message(name);
        return new Dhcp6Message.ClientServer(m.type(), m.transactionId(), edit.apply(new ArrayList<>(m.options())));
    }

    private static List<Dhcp6Option> replace(List<Dhcp6Option> options, Dhcp6Option with) {
        options.replaceAll(o -> o.code() == with.code() ? with : o);
        return options;
    }

    @Test
    void edk2PxeSolicitAndRequestAreAnX64UefiPxeClient() {
        for (String name : List.of(EDK2_PXE_SOLICIT, EDK2_PXE_REQUEST, EDK2_BINL_REQUEST_4011)) {
            Pxe6Request r = request(name);
            assertThat(r.arch()).isEqualTo(ClientArch.X64_UEFI);
            assertThat(r.firmware()).isEqualTo(Firmware.EFI_X64);
            assertThat(r.ipxe()).isFalse();
            assertThat(r.clientId()).isInstanceOf(Duid.Uuid.class);
        }
    }

    @Test
    void edk2HttpBootIsAnX64HttpClient() {
        Pxe6Request r = request(EDK2_HTTP_SOLICIT);
        assertThat(r.arch()).isEqualTo(ClientArch.X64_UEFI_HTTP);
        assertThat(r.firmware()).isEqualTo(Firmware.HTTP_X64);
        assertThat(r.ipxe()).isFalse();
    }

    @Test
    void ipxeIsKnownByItsUserClass() {
        for (String name : List.of(IPXE_SOLICIT, IPXE_REQUEST)) {
            Pxe6Request r = request(name);
            assertThat(r.firmware()).isEqualTo(Firmware.EFI_X64);
            assertThat(r.ipxe()).isTrue();
        }
    }

    @Test
    void edk2AutoconfigSolicitAndServerMessagesAreNotBootRequests() {
        assertThat(ignored(message(EDK2_AUTOCONFIG_SOLICIT))).contains("no vendor class (16)");
        assertThat(ignored(message(DNSMASQ_PXE_ADVERTISE))).isEqualTo(
                "ADVERTISE is a server's message: only client messages are answered");
        assertThat(ignored(message(BOOTONLY_BINL_REPLY_4011))).contains("REPLY is a server's message");
    }

    @Test
    void contradictoryOrIncompleteRequestsAreIgnoredWithTheReason() {
        assertThat(ignored(edited(EDK2_HTTP_SOLICIT, o -> replace(o, new Dhcp6Option.ClientArchType(List.of(7))))))
                .contains("but option 61 says 7 (x64 UEFI): contradictory");
        assertThat(ignored(edited(EDK2_PXE_SOLICIT, o -> replace(o, new Dhcp6Option.ClientArchType(List.of(2))))))
                .isEqualTo("architecture 2 (Itanium) has no loader in bootferry: not answered");
        assertThat(ignored(edited(EDK2_PXE_SOLICIT, o -> replace(o, new Dhcp6Option.ClientArchType(List.of(999))))))
                .contains("option 61 architecture 999 is not in the IANA registry");
        assertThat(ignored(edited(EDK2_PXE_SOLICIT, o -> {
            o.removeIf(Dhcp6Option.ClientArchType.class::isInstance);
            return o;
        }))).isEqualTo("PXEClient without option 61 (RFC 5970 §3.3): cannot tell which EFI binary it runs");
        assertThat(ignored(edited(EDK2_PXE_SOLICIT, o -> replace(o,
                new Dhcp6Option.VendorClass(343, List.of(Opaque.ascii("MSFT 5.0")))))))
                .contains("names neither PXEClient nor HTTPClient");
        assertThat(ignored(edited(EDK2_PXE_SOLICIT, o -> {
            o.removeIf(Dhcp6Option.ClientId.class::isInstance);
            return o;
        }))).contains("SOLICIT without CLIENTID (1)");
    }
}
