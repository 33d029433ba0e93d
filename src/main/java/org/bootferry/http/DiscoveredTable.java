package org.bootferry.http;

import java.util.List;
import java.util.Optional;
import org.bootferry.config.Adoption;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.machine.Discovered;
import org.bootferry.machine.Sighting;

/**
 * The status page's "Seen, not configured" table: each network-boot client that asked and has no
 * machine file, with what its request said and the machine file that adopts it, ready to copy.
 */
final class DiscoveredTable {

    /** Rows shown; the rest are counted and left to /api/discovered. */
    static final int MAX_ROWS = 200;

    private DiscoveredTable() {
    }

    static void render(StringBuilder h, ConfigSnapshot snapshot, List<Discovered> machines, long dropped) {
        h.append("<h2 id=\"discovered\">Seen, not configured</h2>\n");
        if (machines.isEmpty()) {
            h.append("<p class=\"muted\">none: no network-boot client without a machine file has asked</p>\n");
        } else {
            Optional<String> profile = Adoption.suggestedProfile(snapshot);
            h.append("<table id=\"discovered-table\"><thead><tr><th>MAC</th><th>Firmware</th><th>Seen</th>"
                    + "<th>Machine file</th></tr></thead><tbody>\n");
            for (Discovered d : machines.subList(0, Math.min(MAX_ROWS, machines.size()))) {
                row(h, snapshot, d, profile);
            }
            h.append("</tbody></table>\n");
            if (machines.size() > MAX_ROWS) {
                h.append("<p class=\"muted\">").append(machines.size() - MAX_ROWS)
                        .append(" more: see <a href=\"/api/discovered\">/api/discovered</a></p>\n");
            }
        }
        if (dropped > 0) {
            h.append("<p class=\"warn\">").append(dropped)
                    .append(" machines were dropped from this list to keep it bounded, the longest unseen first</p>\n");
        }
    }

    private static void row(StringBuilder h, ConfigSnapshot snapshot, Discovered d, Optional<String> profile) {
        Sighting s = d.latest();
        String esc = StatusPage.esc(s.mac().toString());
        h.append("<tr id=\"d-").append(s.mac().dashed()).append("\"><td><code>").append(esc).append("</code>");
        s.uuid().ifPresent(u -> h.append("<br><span class=\"muted\">uuid ").append(StatusPage.esc(u)).append("</span>"));
        h.append("</td><td>").append(StatusPage.esc(s.firmware().id() + (s.ipxe() ? "+ipxe" : "")))
                .append("<br><span class=\"muted\">").append(StatusPage.esc(s.arch())).append("<br>")
                .append(StatusPage.esc(s.vendorClass())).append("</span></td>");
        h.append("<td>").append(d.requests()).append(d.requests() == 1 ? " request" : " requests")
                .append("<br><span class=\"muted\">last ").append(StatusPage.esc(s.time().toString()))
                .append("<br>first ").append(StatusPage.esc(d.firstSeen().toString()))
                .append("<br>via ").append(StatusPage.esc(s.via())).append("</span></td><td>");
        String file = Adoption.fileOf(snapshot, s.mac()).toString();
        if (profile.isPresent()) {
            h.append("<code>").append(StatusPage.esc(file)).append("</code><pre>")
                    .append(StatusPage.esc(Adoption.machineFile(s.mac(), profile.get(), Optional.empty())))
                    .append("</pre><code>bootferry adopt ").append(esc).append(" --profile ")
                    .append(StatusPage.esc(profile.get())).append("</code>");
        } else {
            h.append("<span class=\"muted\">write a profile in ")
                    .append(StatusPage.esc(snapshot.dir().resolve("profiles").toString()))
                    .append(" first, then create ").append(StatusPage.esc(file)).append("</span>");
        }
        h.append("</td></tr>\n");
    }
}
