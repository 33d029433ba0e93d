package org.bootferry.machine;

import java.time.Instant;

/**
 * A machine discovery has seen and no machine file names: its latest request, when it was first
 * seen and how many requests it sent since.
 */
public record Discovered(Sighting latest, Instant firstSeen, long requests) {

    public MacAddress mac() {
        return latest.mac();
    }

    /** This entry after one more request. */
    public Discovered and(Sighting next) {
        return new Discovered(next, firstSeen, requests + 1);
    }
}
