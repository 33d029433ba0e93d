package org.bootferry.dhcp6;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What bootferry answers a boot client over DHCPv6, as a pure function of the request, our DUID and
 * the boot file URL: a boot-only answer (no address; another server leases them) or a stateful one
 * (with the address bootferry leases). Every rule follows a measurement of reference/ipv6/README.md:
 * <ul>
 *   <li>EDK2 PXE takes 59 only as {@code tftp://[literal]/path} (PxeBcExtractBootFileUrl).
 *   <li>Stateful to EDK2 PXE: IA_NA with IAADDR, PREFERENCE 255 (it REQUESTs at once instead of
 *       waiting ~4.8 s) and no option 16: 343/"PXEClient" would make it ask UDP 4011 again
 *       ({@code pxe6-binl}).
 *   <li>Boot-only to EDK2 PXE: 2, 1, 59 and 16 = 343/"PXEClient", and the same in the REPLY to its
 *       REQUEST on UDP 4011 ({@code proxy6-pxe}). An ADVERTISE with neither IA_NA nor PXEClient
 *       hangs EDK2 for good ({@code proxy6-url}), so it is never sent; nor PREFERENCE, which would
 *       make EDK2 pick the answer without an address at once.
 *   <li>EDK2 HTTP Boot: 59 {@code http://[literal]/path} and 16 "HTTPClient"; it merges a boot-only
 *       answer with another server's address ({@code http6-proxy}).
 *   <li>iPXE uses 59 only from the server that gives it its address, so a boot-only answer cannot
 *       boot it ({@code proxy6-pxe}).
 * </ul>
 * Only SOLICIT (→ ADVERTISE) and REQUEST (→ REPLY) are answered here; RELEASE, RENEW and REBIND
 * belong with the leases.
 */
public final class Boot6Answer {

    /** §21.16: IANA's number for Intel, whose PXE and UEFI specifications define the class strings. */
    public static final long ENTERPRISE_INTEL = 343;
    /** §21.8: the highest preference; a client takes such an ADVERTISE at once (§18.2.1). */
    public static final int PREFERENCE_MAX = 255;

    /** The message to send, or why none is sent. */
    public sealed interface Decision {
    }

    public record Answer(Dhcp6Message.ClientServer message) implements Decision {
    }

    public record NoAnswer(String reason) implements Decision {
    }

    /** The address bootferry leases a client, with its lifetimes in seconds (§21.6). */
    public record Lease(Inet6Address address, long preferredLifetime, long validLifetime) {
        public Lease {
            if (preferredLifetime < 0 || validLifetime < preferredLifetime || validLifetime > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("lifetimes must be 0 <= preferred (" + preferredLifetime
                        + ") <= valid (" + validLifetime + ") <= 2^32-1 (RFC 8415 §21.6)");
            }
        }
    }

    private Boot6Answer() {
    }

    /** The answer of a server that hands out no addresses. */
    public static Decision bootOnly(Pxe6Request request, Duid serverId, String bootFileUrl) {
        Optional<String> refused = refusal(request, serverId);
        if (refused.isPresent()) {
            return new NoAnswer(refused.get());
        }
        if (request.ipxe()) {
            return new NoAnswer("iPXE takes its boot file only from the server that leases its address:"
                    + " a boot-only answer cannot boot it");
        }
        checkUrl(request, bootFileUrl);
        List<Dhcp6Option> options = new ArrayList<>(List.of(new Dhcp6Option.ServerId(serverId),
                new Dhcp6Option.ClientId(request.clientId()), new Dhcp6Option.BootfileUrl(bootFileUrl)));
        options.add(vendorClass(request));
        return new Answer(reply(request, options));
    }

    /** The answer of a server that leases {@code lease} to this client. */
    public static Decision stateful(Pxe6Request request, Duid serverId, String bootFileUrl, Lease lease) {
        Optional<String> refused = refusal(request, serverId);
        if (refused.isPresent()) {
            return new NoAnswer(refused.get());
        }
        Optional<Dhcp6Option.IaNa> asked = request.message().option(Dhcp6Option.IaNa.class);
        if (asked.isEmpty()) {
            return new NoAnswer(request.message().type() + " without IA_NA: the client asks for no address");
        }
        // §21.4: T1 and T2 are recommended at 0.5 and 0.8 times the preferred lifetime.
        long preferred = lease.preferredLifetime();
        Dhcp6Option.IaNa ia = new Dhcp6Option.IaNa(asked.get().iaid(), preferred / 2, preferred * 4 / 5,
                List.of(new Dhcp6Option.IaAddress(lease.address(), preferred, lease.validLifetime(), List.of())));
        List<Dhcp6Option> options = new ArrayList<>(List.of(new Dhcp6Option.ClientId(request.clientId()),
                new Dhcp6Option.ServerId(serverId), ia));
        if (request.message().type() == Dhcp6MessageType.SOLICIT) {
            options.add(new Dhcp6Option.Preference(PREFERENCE_MAX));
        }
        options.addAll(bootOptions(request, bootFileUrl));
        return new Answer(reply(request, options));
    }

    /**
     * The boot options of a stateful answer, the server's address in it as well: 59, and 16
     * "HTTPClient" for HTTP Boot. Never 16 "PXEClient", which sends EDK2 PXE to UDP 4011 ({@code pxe6-binl}).
     *
     * @throws IllegalArgumentException a URL this firmware cannot read (see {@link #checkUrl})
     */
    public static List<Dhcp6Option> bootOptions(Pxe6Request request, String bootFileUrl) {
        checkUrl(request, bootFileUrl);
        List<Dhcp6Option> options = new ArrayList<>(List.of(new Dhcp6Option.BootfileUrl(bootFileUrl)));
        if (request.firmware().httpBoot()) {
            options.add(vendorClass(request));
        }
        return options;
    }

    /** Why a request gets no answer from us whatever the mode, if it does not. */
    private static Optional<String> refusal(Pxe6Request request, Duid serverId) {
        Dhcp6Message.ClientServer m = request.message();
        Optional<Duid> addressed = m.option(Dhcp6Option.ServerId.class).map(Dhcp6Option.ServerId::duid);
        switch (m.type()) {
            case SOLICIT:
                return Optional.empty();
            case REQUEST:
                // §16.4: a REQUEST names the server it is for; another server's is not ours to answer.
                if (addressed.isEmpty()) {
                    return Optional.of("REQUEST without SERVERID (2): RFC 8415 §16.4 discards it");
                }
                return addressed.get().equals(serverId) ? Optional.empty()
                        : Optional.of("REQUEST for another server (" + addressed.get() + ")");
            default:
                return Optional.of(m.type() + " is not a boot exchange (only SOLICIT and REQUEST are answered here)");
        }
    }

    private static Dhcp6Message.ClientServer reply(Pxe6Request request, List<Dhcp6Option> options) {
        Dhcp6Message.ClientServer m = request.message();
        Dhcp6MessageType type = m.type() == Dhcp6MessageType.SOLICIT ? Dhcp6MessageType.ADVERTISE
                : Dhcp6MessageType.REPLY;
        // §16.5, §16.8: the answer carries the transaction-id of the message it answers.
        return new Dhcp6Message.ClientServer(type, m.transactionId(), options);
    }

    private static Dhcp6Option.VendorClass vendorClass(Pxe6Request request) {
        String text = request.firmware().httpBoot() ? Pxe6Request.HTTP_CLIENT : Pxe6Request.PXE_CLIENT;
        return new Dhcp6Option.VendorClass(ENTERPRISE_INTEL, List.of(Opaque.ascii(text)));
    }

    /**
     * EDK2 PXE reads 59 only as tftp://[literal]/ (PxeBcExtractBootFileUrl); HTTP Boot was measured
     * with http://[literal]/. iPXE resolves names itself and needs only an HTTP(S) URL.
     */
    private static void checkUrl(Pxe6Request request, String url) {
        if (request.ipxe()) {
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new IllegalArgumentException("boot file URL '" + url + "' for iPXE must be http:// or https://");
            }
            return;
        }
        boolean http = request.firmware().httpBoot();
        String prefix = http ? "http://[" : "tftp://[";
        int close = url.indexOf(']');
        // HTTP Boot parses the URL with EDK2's HTTP URL parser, which takes a port (HttpUrlGetPort);
        // PXE's PxeBcExtractBootFileUrl takes "]/" right after the literal.
        String afterLiteral = close < 0 ? "" : url.substring(close + 1);
        boolean pathFollows = afterLiteral.startsWith("/") || http && afterLiteral.matches(":[0-9]{1,5}/.*");
        if (!url.startsWith(prefix) || close <= prefix.length() || !pathFollows) {
            throw new IllegalArgumentException("boot file URL '" + url + "' for " + request.firmware() + " must be "
                    + prefix + "IPv6-literal]" + (http ? "[:port]" : "") + "/path: EDK2 takes no host names over DHCPv6");
        }
    }
}
