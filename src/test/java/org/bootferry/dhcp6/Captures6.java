package org.bootferry.dhcp6;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** The DHCPv6 messages captured from real boots, in src/test/resources/captures/dhcp6 (see its README). */
final class Captures6 {

    static final String EDK2_AUTOCONFIG_SOLICIT = "edk2-autoconfig-solicit.bin";
    static final String EDK2_PXE_SOLICIT = "edk2-pxe-solicit.bin";
    static final String DNSMASQ_PXE_ADVERTISE = "dnsmasq-pxe-advertise.bin";
    static final String EDK2_PXE_REQUEST = "edk2-pxe-request.bin";
    static final String DNSMASQ_PXE_REPLY = "dnsmasq-pxe-reply.bin";
    static final String EDK2_RELEASE = "edk2-release.bin";
    static final String DNSMASQ_RELEASE_REPLY = "dnsmasq-release-reply.bin";
    static final String IPXE_SOLICIT = "ipxe-solicit.bin";
    static final String DNSMASQ_IPXE_ADVERTISE = "dnsmasq-ipxe-advertise.bin";
    static final String IPXE_REQUEST = "ipxe-request.bin";
    static final String DNSMASQ_IPXE_REPLY = "dnsmasq-ipxe-reply.bin";
    static final String EDK2_HTTP_SOLICIT = "edk2-http-solicit.bin";
    static final String EDK2_HTTP_REQUEST = "edk2-http-request.bin";
    static final String DNSMASQ_HTTP_ADVERTISE_MISENCODED_16 = "dnsmasq-http-advertise-misencoded-16.bin";
    static final String BOOTONLY_HTTP_ADVERTISE = "bootonly-http-advertise.bin";
    static final String BOOTONLY_PXE_ADVERTISE = "bootonly-pxe-advertise.bin";
    static final String EDK2_BINL_REQUEST_4011 = "edk2-binl-request-4011.bin";
    static final String BOOTONLY_BINL_REPLY_4011 = "bootonly-binl-reply-4011.bin";

    /** Every fixture the codec reads (all but the misencoded one). */
    static final List<String> WELL_FORMED = List.of(EDK2_AUTOCONFIG_SOLICIT, EDK2_PXE_SOLICIT, DNSMASQ_PXE_ADVERTISE,
            EDK2_PXE_REQUEST, DNSMASQ_PXE_REPLY, EDK2_RELEASE, DNSMASQ_RELEASE_REPLY, IPXE_SOLICIT,
            DNSMASQ_IPXE_ADVERTISE, IPXE_REQUEST, DNSMASQ_IPXE_REPLY, EDK2_HTTP_SOLICIT, EDK2_HTTP_REQUEST,
            BOOTONLY_HTTP_ADVERTISE, BOOTONLY_PXE_ADVERTISE, EDK2_BINL_REQUEST_4011, BOOTONLY_BINL_REPLY_4011);

    /** The link-local source of every client message on 546 in the captures: EUI-64 of 52:54:00:12:34:56. */
    static final Inet6Address CLIENT_LINK_LOCAL = address("fe80::5054:ff:fe12:3456");
    /** The source of EDK2's port 4011 REQUEST: its autoconfig lease, not EUI-64. */
    static final Inet6Address EDK2_4011_SOURCE = address("fd42::18b");

    private Captures6() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Captures6.class.getResourceAsStream("/captures/dhcp6/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture captures/dhcp6/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Dhcp6Message.ClientServer message(String name) {
        try {
            return (Dhcp6Message.ClientServer) Dhcp6Codec.decode(bytes(name));
        } catch (MalformedDhcp6Exception e) {
            throw new AssertionError(name + ": " + e.getMessage(), e);
        }
    }

    static Inet6Address address(String literal) {
        try {
            return (Inet6Address) InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
