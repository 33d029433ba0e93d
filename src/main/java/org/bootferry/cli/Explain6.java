package org.bootferry.cli;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.bootferry.boot.Explanation;
import org.bootferry.dhcp6.Boot6Answer;
import org.bootferry.dhcp6.ClientMac;
import org.bootferry.dhcp6.Dhcp6Message;
import org.bootferry.dhcp6.Dhcp6MessageType;
import org.bootferry.dhcp6.Dhcp6Option;
import org.bootferry.dhcp6.Duid;
import org.bootferry.dhcp6.Opaque;
import org.bootferry.dhcp6.Pxe6Detection;
import org.bootferry.dhcp6.Pxe6Request;
import org.bootferry.machine.ClientArch;
import org.bootferry.machine.Firmware;

/**
 * What {@code explain --family 6} adds to an explanation made for the {@code advertise6} address:
 * per firmware, the ADVERTISE {@link Boot6Answer} computes for a SOLICIT like the one that firmware
 * was measured to send (reference/ipv6: EDK2 PXE and HTTP Boot send 1, 61, 16 = 343 "PXEClient…" or
 * "HTTPClient…"; iPXE adds 15 "iPXE"), boot-only and stateful, and how the machine is told apart
 * over IPv6, where no message carries its MAC.
 */
final class Explain6 {

    /** A documentation address (RFC 3849) stands for the one the lease would hold. */
    private static final Inet6Address LEASED = address("2001:db8::1");
    private static final Duid SERVER = new Duid.LinkLayer(1, Opaque.hex("000000000000"));
    private static final Duid CLIENT = new Duid.Uuid(Opaque.hex("00000000000000000000000000000000"));

    private Explain6() {
    }

    /** The DHCPv6 lines: a pair (boot-only, stateful) per firmware with a boot file URL, then iPXE's. */
    static List<String> answers(Explanation e) {
        List<String> lines = new ArrayList<>();
        Set<Firmware> seen = EnumSet.noneOf(Firmware.class);
        for (ClientArch arch : ClientArch.values()) {
            Firmware firmware = arch.firmware().orElse(null);
            if (firmware == null || firmware == Firmware.BIOS || !seen.add(firmware)) {
                continue;
            }
            String url = e.dhcp().get(firmware.id());
            if (url == null || !url.contains("://")) {
                continue; // its reason is on the dhcp6 line already
            }
            lines.addAll(answers(firmware.id(), solicit(arch, firmware.httpBoot(), false), url));
        }
        lines.addAll(answers("ipxe", solicit(ClientArch.X64_UEFI, false, true), e.dhcp().get("ipxe")));
        return lines;
    }

    /**
     * How bootferry tells which machine sends a DHCPv6 message, which the config can't change: said
     * once, since explain has no message to look at. The ways are {@link ClientMac.Source}'s, the
     * same words the log and {@code /api/unidentified} use for what each held.
     */
    static String identification() {
        return "a DHCPv6 client sends a DUID, not its MAC (EDK2 and iPXE send DUID-UUID): its MAC is taken from, in"
                + " this order, " + Arrays.stream(ClientMac.Source.values()).map(ClientMac.Source::description)
                        .collect(Collectors.joining("; ")) + ". A client none of them names gets no answer and is"
                + " listed at /api/unidentified and on the status page with the duid: line that names it";
    }

    private static List<String> answers(String who, Dhcp6Message.ClientServer solicit, String url) {
        Pxe6Detection detected = Pxe6Request.detect(solicit);
        if (!(detected instanceof Pxe6Request request)) {
            return List.of(String.format("dhcp6     %-10s not a boot request: %s", who, ((Pxe6Detection.Ignored) detected).reason()));
        }
        List<String> lines = new ArrayList<>();
        try {
            lines.add(String.format("dhcp6     %-10s boot-only: %s", who, describe(Boot6Answer.bootOnly(request, SERVER, url))));
            lines.add(String.format("dhcp6     %-10s server:    %s", who, describe(Boot6Answer.stateful(request, SERVER,
                    url, new Boot6Answer.Lease(LEASED, 3600, 7200)))));
        } catch (IllegalArgumentException refused) {
            lines.add(String.format("dhcp6     %-10s not booted: %s", who, refused.getMessage()));
        }
        return lines;
    }

    private static String describe(Boot6Answer.Decision decision) {
        if (decision instanceof Boot6Answer.NoAnswer none) {
            return "no answer: " + none.reason();
        }
        Dhcp6Message.ClientServer m = ((Boot6Answer.Answer) decision).message();
        return m.type() + " " + m.options().stream().map(Explain6::describe).collect(Collectors.joining(", "));
    }

    private static String describe(Dhcp6Option option) {
        if (option instanceof Dhcp6Option.BootfileUrl url) {
            return "59 " + url.url();
        }
        if (option instanceof Dhcp6Option.VendorClass vendor) {
            return "16 " + vendor.enterpriseNumber() + "/" + vendor.data().stream().map(Opaque::text)
                    .collect(Collectors.joining(","));
        }
        if (option instanceof Dhcp6Option.Preference preference) {
            return "7 " + preference.value();
        }
        if (option instanceof Dhcp6Option.IaNa) {
            return "3 IA_NA (the leased address)";
        }
        return option.code() + " " + option.getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT);
    }

    /** A SOLICIT as the firmware sends it (reference/ipv6/README.md, "What the clients send"). */
    private static Dhcp6Message.ClientServer solicit(ClientArch arch, boolean http, boolean ipxe) {
        String vendor = String.format("%s:Arch:%05d:UNDI:003000", http ? Pxe6Request.HTTP_CLIENT : Pxe6Request.PXE_CLIENT,
                arch.code());
        // EDK2 asks for an address with T1/T2 0xffffffff, iPXE with 0 (reference/ipv6).
        long t = ipxe ? 0 : 0xFFFF_FFFFL;
        List<Dhcp6Option> options = new ArrayList<>(List.of(new Dhcp6Option.ClientId(CLIENT),
                new Dhcp6Option.IaNa(1, t, t, List.of()),
                new Dhcp6Option.ClientArchType(List.of(arch.code())),
                new Dhcp6Option.VendorClass(Boot6Answer.ENTERPRISE_INTEL, List.of(Opaque.ascii(vendor)))));
        if (ipxe) {
            options.add(new Dhcp6Option.UserClass(List.of(Opaque.ascii(Pxe6Request.IPXE_USER_CLASS))));
        }
        return new Dhcp6Message.ClientServer(Dhcp6MessageType.SOLICIT, 0, options);
    }

    private static Inet6Address address(String literal) {
        try {
            return (Inet6Address) InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a literal", e);
        }
    }
}
