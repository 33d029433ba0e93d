package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.util.concurrent.CompletableFuture;
import org.bootferry.machine.MacAddress;

/** Checks that an address about to be offered is not in use already (RFC 2131 §2.2: "the server SHOULD probe"). */
public interface AddressProbe {

    /**
     * Completes with true when something on the link other than {@code client} answers for the
     * address. The client itself is no conflict: a machine whose firmware used its address a moment
     * ago (iPXE, then the installer's own DHCP client) is still in the neighbour table under its MAC.
     */
    CompletableFuture<Boolean> inUse(Inet4Address address, MacAddress client);
}
