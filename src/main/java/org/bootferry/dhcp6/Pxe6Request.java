package org.bootferry.dhcp6;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.bootferry.machine.ClientArch;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;

/**
 * A DHCPv6 message from a network-boot client, with which firmware sent it: the architecture of
 * option 61 (RFC 5970 §3.3, the registry DHCPv4 option 93 uses), PXEClient or HTTPClient in the
 * vendor class (16), and whether iPXE asks (user class 15 "iPXE"). Which machine asks is
 * {@link ClientMac}'s question: a DHCPv6 message has no chaddr.
 *
 * <p>Measured (reference/ipv6/README.md): EDK2's PXE and HTTP Boot SOLICITs and REQUESTs carry 61
 * and 16 = 343 "PXEClient:Arch:00007:…" or "HTTPClient:Arch:00016:…"; its Ip6Dxe autoconfig SOLICIT
 * carries neither and is not a boot request. iPXE sends 61, 16 "PXEClient:…:003010" and 15 "iPXE".
 *
 * @param message  the request as decoded
 * @param arch     the first architecture of option 61
 * @param firmware the firmware kind {@code arch} maps to; {@link Firmware#httpBoot()} says HTTPClient
 * @param ipxe     true when iPXE sent it
 * @param clientId the client's DUID, which every answer echoes (RFC 8415 §18.3)
 */
public record Pxe6Request(
        Dhcp6Message.ClientServer message,
        ClientArch arch,
        Firmware firmware,
        boolean ipxe,
        Duid clientId) implements Pxe6Detection {

    /** The vendor-class data prefix of a PXE client (PXE 2.1 §2.2, carried over to option 16 by UEFI). */
    public static final String PXE_CLIENT = "PXEClient";
    /** The vendor-class data prefix of a UEFI HTTP Boot client (UEFI 2.x §24.7). */
    public static final String HTTP_CLIENT = "HTTPClient";
    /** iPXE's user class: the one item of its option 15 (measured, reference/ipv6/README.md). */
    public static final String IPXE_USER_CLASS = "iPXE";

    /** The machine as the boot planner sees it, once {@link ClientMac} found its MAC. */
    public Machine machine(MacAddress mac, Optional<InetAddress> server) {
        return new Machine(mac, firmware, ipxe, server);
    }

    public static Pxe6Detection detect(Dhcp6Message.ClientServer m) {
        if (!m.type().fromClient()) {
            return new Pxe6Detection.Ignored(m.type() + " is a server's message: only client messages are answered");
        }
        Optional<Dhcp6Option.ClientId> clientId = m.option(Dhcp6Option.ClientId.class);
        if (clientId.isEmpty()) {
            // RFC 8415 §16.2, §16.4: a SOLICIT or REQUEST without CLIENTID is discarded.
            return new Pxe6Detection.Ignored(m.type() + " without CLIENTID (1): RFC 8415 §16 discards it");
        }
        Optional<Dhcp6Option.VendorClass> vendor = m.option(Dhcp6Option.VendorClass.class);
        if (vendor.isEmpty()) {
            return new Pxe6Detection.Ignored("no vendor class (16): not a network-boot client"
                    + " (EDK2's autoconfig SOLICIT looks like this; its PXE SOLICIT follows)");
        }
        // The enterprise number is not checked: both clients send 343, and EDK2's HTTP Boot reads
        // only the data of an answer's option 16 (HttpBootParseDhcp6Packet), so neither side relies on it.
        List<String> classes = vendor.get().data().stream().map(Opaque::text).toList();
        boolean pxe = classes.stream().anyMatch(c -> c.startsWith(PXE_CLIENT));
        boolean http = classes.stream().anyMatch(c -> c.startsWith(HTTP_CLIENT));
        if (!pxe && !http) {
            return new Pxe6Detection.Ignored("vendor class (16) " + classes
                    + " names neither PXEClient nor HTTPClient: not a network-boot client");
        }
        Optional<Dhcp6Option.ClientArchType> option61 = m.option(Dhcp6Option.ClientArchType.class);
        if (option61.isEmpty() || option61.get().architectures().isEmpty()) {
            return new Pxe6Detection.Ignored((http ? HTTP_CLIENT : PXE_CLIENT)
                    + " without option 61 (RFC 5970 §3.3): cannot tell which EFI binary it runs");
        }
        // RFC 5970 §3.3 allows a list; the first is what the running firmware is (as for option 93).
        int code = option61.get().architectures().get(0);
        Optional<ClientArch> arch = ClientArch.of(code);
        if (arch.isEmpty()) {
            return new Pxe6Detection.Ignored("option 61 architecture " + code + " is not in the IANA registry");
        }
        Optional<Firmware> firmware = arch.get().firmware();
        if (firmware.isEmpty()) {
            return new Pxe6Detection.Ignored("architecture " + arch.get() + " has no loader in bootferry: not answered");
        }
        if (firmware.get().httpBoot() ? !http : !pxe) {
            return new Pxe6Detection.Ignored("vendor class (16) " + classes + " but option 61 says " + arch.get()
                    + ": contradictory, not answered");
        }
        return new Pxe6Request(m, arch.get(), firmware.get(), isIpxe(m), clientId.get().duid());
    }

    private static boolean isIpxe(Dhcp6Message m) {
        return m.option(Dhcp6Option.UserClass.class)
                .map(u -> u.classes().stream().anyMatch(c -> c.text().equals(IPXE_USER_CLASS)))
                .orElse(false);
    }
}
