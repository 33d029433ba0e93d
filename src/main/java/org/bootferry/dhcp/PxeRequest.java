package org.bootferry.dhcp;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.bootferry.machine.ClientArch;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;

/**
 * A DHCP request from a network-boot client, with what bootferry needs to answer it: who (MAC),
 * which firmware (option 93), which kind of client (option 60), whether iPXE asks (77/175), and the
 * UUID to echo (97).
 *
 * @param message     the request as decoded
 * @param type        DISCOVER, REQUEST, …
 * @param vendorClass PXEClient or HTTPClient (option 60)
 * @param arch        the architecture from option 93
 * @param firmware    the firmware kind {@code arch} maps to
 * @param ipxe        true when iPXE sent it
 * @param uuid        option 97 as sent, echoed in replies; Intel ROMs omit it, so it is optional
 */
public record PxeRequest(
        DhcpMessage message,
        DhcpMessageType type,
        VendorClass vendorClass,
        ClientArch arch,
        Firmware firmware,
        boolean ipxe,
        Optional<DhcpOption> uuid) implements Detection {

    /** Option 60's prefix (PXE 2.1 §2.2; UEFI 2.x §24.7 for HTTPClient). */
    public enum VendorClass {
        PXE_CLIENT("PXEClient"), HTTP_CLIENT("HTTPClient");

        private final String text;

        VendorClass(String text) {
            this.text = text;
        }

        /** The value servers send back in option 60. */
        public String text() {
            return text;
        }
    }

    private static final byte[] IPXE_USER_CLASS = "iPXE".getBytes(StandardCharsets.US_ASCII);

    public MacAddress mac() {
        return message.mac();
    }

    /** The machine as the boot planner sees it; {@code server} is our address the request came to, if known. */
    public Machine machine(Optional<InetAddress> server) {
        return new Machine(mac(), firmware, ipxe, server);
    }

    public static Detection detect(DhcpMessage m) {
        if (m.op() != DhcpMessage.BOOTREQUEST) {
            return new Detection.Ignored("a BOOTREPLY (op 2): only client requests are answered");
        }
        Optional<DhcpMessageType> type = m.messageType();
        if (type.isEmpty()) {
            return new Detection.Ignored("no valid option 53: BOOTP, not DHCP");
        }
        Optional<DhcpOption> option60 = m.option(DhcpOptionCode.VENDOR_CLASS_IDENTIFIER);
        String vendor = option60.map(DhcpOption::text).orElse("");
        VendorClass vendorClass;
        if (vendor.startsWith(VendorClass.PXE_CLIENT.text())) {
            vendorClass = VendorClass.PXE_CLIENT;
        } else if (vendor.startsWith(VendorClass.HTTP_CLIENT.text())) {
            vendorClass = VendorClass.HTTP_CLIENT;
        } else {
            return new Detection.Ignored(option60.isEmpty() ? "no option 60: not a network-boot client"
                    : "option 60 '" + vendor + "' is neither PXEClient nor HTTPClient: not a network-boot client");
        }

        // The architecture comes from option 93 only: stage-2 iPXE shortens option 60 to a bare
        // "PXEClient" (no ":Arch:"), and option 60 is free text that some ROMs get wrong.
        Optional<DhcpOption> option93 = m.option(DhcpOptionCode.CLIENT_ARCH);
        ClientArch arch;
        if (option93.isEmpty()) {
            if (vendorClass == VendorClass.HTTP_CLIENT) {
                return new Detection.Ignored("HTTPClient without option 93: cannot tell which EFI binary it runs");
            }
            // PXE 2.0 ROMs predate option 93, and they were all x86 BIOS.
            arch = ClientArch.X86_BIOS;
        } else {
            byte[] v = option93.get().value();
            if (v.length == 0 || v.length % 2 != 0) {
                return new Detection.Ignored("option 93 has " + v.length + " bytes, expected a list of 16-bit codes");
            }
            // RFC 4578 §2.1 allows a list; the first is what the running firmware is.
            int code = ((v[0] & 0xFF) << 8) | (v[1] & 0xFF);
            Optional<ClientArch> known = ClientArch.of(code);
            if (known.isEmpty()) {
                return new Detection.Ignored("option 93 architecture " + code + " is not in the IANA registry");
            }
            arch = known.get();
        }
        Optional<Firmware> firmware = arch.firmware();
        if (firmware.isEmpty()) {
            return new Detection.Ignored("architecture " + arch + " has no loader in bootferry: not answered");
        }
        if ((vendorClass == VendorClass.HTTP_CLIENT) != firmware.get().httpBoot()) {
            return new Detection.Ignored("option 60 says " + vendorClass.text() + " but option 93 says " + arch
                    + ": contradictory, not answered");
        }
        return new PxeRequest(m, type.get(), vendorClass, arch, firmware.get(), isIpxe(m),
                m.option(DhcpOptionCode.CLIENT_UUID));
    }

    /**
     * iPXE identifies itself with user class "iPXE" (option 77, sent as the bare string rather than
     * RFC 3004's length-prefixed list) and with its feature option 175.
     */
    private static boolean isIpxe(DhcpMessage m) {
        if (m.option(DhcpOptionCode.IPXE_ENCAPSULATED).isPresent()) {
            return true;
        }
        return m.option(DhcpOptionCode.USER_CLASS).map(o -> {
            byte[] v = o.value();
            boolean bare = Arrays.equals(v, IPXE_USER_CLASS);
            boolean rfc3004 = v.length == IPXE_USER_CLASS.length + 1 && v[0] == IPXE_USER_CLASS.length
                    && Arrays.equals(v, 1, v.length, IPXE_USER_CLASS, 0, IPXE_USER_CLASS.length);
            return bare || rfc3004;
        }).orElse(false);
    }
}
