package org.bootferry.dhcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The DHCP messages captured from real firmware, in src/test/resources/captures/dhcp (see its README). */
final class Captures {

    static final String SEABIOS_IPXE_DISCOVER = "seabios-ipxe-discover.bin";
    static final String SEABIOS_IPXE_REQUEST_4011 = "seabios-ipxe-request-4011.bin";
    static final String IPXE_UNDIONLY_STAGE2_DISCOVER = "ipxe-undionly-stage2-discover.bin";
    static final String EDK2_X64_DISCOVER = "edk2-x64-discover.bin";
    static final String EDK2_X64_REQUEST_4011 = "edk2-x64-request-4011.bin";
    static final String IPXE_EFI_STAGE2_DISCOVER = "ipxe-efi-stage2-discover.bin";
    static final String OVMF_HTTPCLIENT_DISCOVER = "ovmf-httpclient-discover.bin";
    static final String EDK2_ARM64_DISCOVER = "edk2-arm64-discover.bin";
    static final String DNSMASQ_PROXY_OFFER_EDK2 = "dnsmasq-proxy-offer-edk2.bin";
    static final String DNSMASQ_PROXY_OFFER_BIOS_MENU = "dnsmasq-proxy-offer-bios-menu.bin";

    static final String[] CLIENT_REQUESTS = {
        SEABIOS_IPXE_DISCOVER, SEABIOS_IPXE_REQUEST_4011, IPXE_UNDIONLY_STAGE2_DISCOVER, EDK2_X64_DISCOVER,
        EDK2_X64_REQUEST_4011, IPXE_EFI_STAGE2_DISCOVER, OVMF_HTTPCLIENT_DISCOVER, EDK2_ARM64_DISCOVER};

    private Captures() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Captures.class.getResourceAsStream("/captures/dhcp/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture captures/dhcp/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DhcpMessage message(String name) {
        try {
            return DhcpCodec.decode(bytes(name));
        } catch (MalformedDhcpException e) {
            throw new AssertionError(name + ": " + e.getMessage(), e);
        }
    }
}
