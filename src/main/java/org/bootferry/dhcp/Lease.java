package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.util.Optional;
import org.bootferry.machine.MacAddress;

/**
 * What server mode knows of one address: who holds it and until when. One record covers every state
 * an address is in, so the journal has one kind of line:
 * <ul>
 *   <li>bound: a holder, expiring in the future;</li>
 *   <li>free again (released or expired): a holder, expired; the holder gets it back first
 *       (RFC 2131 §4.3.1: "the client's previous address as recorded in the client's binding");</li>
 *   <li>quarantined (declined, or found in use by a probe): no holder, until the quarantine ends.</li>
 * </ul>
 *
 * @param expires epoch milliseconds
 */
public record Lease(Inet4Address address, Optional<MacAddress> holder, long expires) {

    public boolean heldBy(MacAddress mac, long now) {
        return expires > now && holder.filter(mac::equals).isPresent();
    }

    /** Bound to a machine or quarantined: not to be handed to anyone else now. */
    public boolean busy(long now) {
        return expires > now;
    }
}
