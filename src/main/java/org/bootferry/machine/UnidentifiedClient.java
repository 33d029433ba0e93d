package org.bootferry.machine;

import java.time.Instant;
import java.util.List;

/**
 * A DHCPv6 boot client that asked and could not be tied to a MAC, so was not answered: its latest
 * request, when it was first seen and how many requests it sent.
 */
public record UnidentifiedClient(Sighting latest, Instant firstSeen, long requests) {

    /**
     * One unanswered request.
     *
     * @param duid     the client's DUID in hex, as a machine file's {@code duid:} takes it
     * @param duidType its type by name ({@code DUID-UUID (type 4)})
     * @param address  the request's IPv6 source address (RFC 5952), a relay's peer-address when relayed
     * @param via      the boot link's interface it came in on, or {@code unicast} for the sockets at our
     *                 addresses outside any boot link (relay agents')
     * @param tried    each way a MAC is found and what it held, in the order tried
     */
    public record Sighting(String duid, String duidType, String address, String via, Instant time, List<String> tried) {
        public Sighting {
            tried = List.copyOf(tried);
        }
    }

    public String duid() {
        return latest.duid();
    }

    /** The line that makes the client known, to paste into its machine file. */
    public String duidLine() {
        return "duid: " + latest.duid();
    }

    /** This entry after one more request. */
    public UnidentifiedClient and(Sighting next) {
        return new UnidentifiedClient(next, firstSeen, requests + 1);
    }
}
