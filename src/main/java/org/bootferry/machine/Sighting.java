package org.bootferry.machine;

import java.time.Instant;
import java.util.Optional;

/**
 * One network-boot DHCP request from a MAC that has no machine file: what discovery records of it.
 *
 * @param firmware    the firmware kind its option 93 maps to
 * @param arch        option 93 as the IANA registry names it, with its code ({@code "x64 UEFI (7)"})
 * @param uuid        option 97's machine UUID, when sent (Intel ROMs omit it)
 * @param vendorClass option 60 as sent ({@code PXEClient:Arch:00007:UNDI:003016})
 * @param ipxe        true when iPXE sent it (option 77 or 175)
 * @param via         how it reached us: {@code relay 10.1.2.1} (giaddr) or {@code interface 10.0.0.1}
 *                    (our address it arrived at), or {@code broadcast} when the socket can't tell
 */
public record Sighting(MacAddress mac, Instant time, Firmware firmware, String arch, Optional<String> uuid,
        String vendorClass, boolean ipxe, String via) {
}
