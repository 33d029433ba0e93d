package org.bootferry.machine;

import java.net.InetAddress;
import java.util.Optional;

/**
 * The MAC behind a client address on one of our links. TFTP and HTTP requests carry no MAC, so a
 * loader fetched by address is tied to its machine this way; behind a router nothing is known.
 */
@FunctionalInterface
public interface Neighbours {

    /** The MAC of {@code address}, when a neighbour table knows it; may read a file, so not on an event loop. */
    Optional<MacAddress> macOf(InetAddress address);
}
