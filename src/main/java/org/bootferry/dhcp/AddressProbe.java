package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.util.concurrent.CompletableFuture;

/** Checks that an address about to be offered is not in use already (RFC 2131 §2.2: "the server SHOULD probe"). */
public interface AddressProbe {

    /** Completes with true when something on the link answers for the address. */
    CompletableFuture<Boolean> inUse(Inet4Address address);
}
