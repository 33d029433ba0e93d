package org.bootferry.machine;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A machine discovery has seen and no machine file names: its latest request, when it was first
 * seen and how many requests it sent since.
 */
public record Discovered(Sighting latest, Instant firstSeen, long requests) {

    public MacAddress mac() {
        return latest.mac();
    }

    /** Its fields as {@code discovered.json} and {@code /api/discovered} write them; no uuid when none was sent. */
    public Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("mac", latest.mac().toString());
        fields.put("firstSeen", firstSeen.toString());
        fields.put("lastSeen", latest.time().toString());
        fields.put("requests", requests);
        fields.put("firmware", latest.firmware().id());
        fields.put("arch", latest.arch());
        fields.put("vendorClass", latest.vendorClass());
        fields.put("ipxe", latest.ipxe());
        fields.put("via", latest.via());
        latest.uuid().ifPresent(u -> fields.put("uuid", u));
        return fields;
    }

    /** This entry after one more request. */
    public Discovered and(Sighting next) {
        return new Discovered(next, firstSeen, requests + 1);
    }
}
