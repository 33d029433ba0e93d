package org.bootferry.http;

import java.util.List;
import org.bootferry.machine.UnidentifiedClient;

/**
 * The status page's "DHCPv6 clients not identified" table: each boot client that asked over DHCPv6
 * and that nothing tied to a MAC, so it got no answer, with each way tried and what it held, and the
 * {@code duid:} line that makes it known, ready to paste into its machine file.
 */
final class UnidentifiedTable {

    /** Rows shown; the rest are counted and left to /api/unidentified. */
    static final int MAX_ROWS = 100;

    private UnidentifiedTable() {
    }

    static void render(StringBuilder h, List<UnidentifiedClient> clients, long dropped) {
        h.append("<h2 id=\"unidentified\">DHCPv6 clients not identified</h2>\n");
        if (clients.isEmpty()) {
            h.append("<p class=\"muted\">none: every DHCPv6 boot client was tied to a MAC</p>\n");
        } else {
            h.append("<table id=\"unidentified-table\"><thead><tr><th>DUID</th><th>From</th><th>Seen</th>"
                    + "<th>Why not identified</th><th>Machine file line</th></tr></thead><tbody>\n");
            for (UnidentifiedClient c : clients.subList(0, Math.min(MAX_ROWS, clients.size()))) {
                row(h, c);
            }
            h.append("</tbody></table>\n");
            if (clients.size() > MAX_ROWS) {
                h.append("<p class=\"muted\">").append(clients.size() - MAX_ROWS)
                        .append(" more: see <a href=\"/api/unidentified\">/api/unidentified</a></p>\n");
            }
        }
        if (dropped > 0) {
            h.append("<p class=\"warn\">").append(dropped)
                    .append(" clients were dropped from this list to keep it bounded, the longest unseen first</p>\n");
        }
    }

    private static void row(StringBuilder h, UnidentifiedClient c) {
        UnidentifiedClient.Sighting s = c.latest();
        h.append("<tr id=\"u-").append(StatusPage.esc(s.duid())).append("\"><td><code>").append(StatusPage.esc(s.duid()))
                .append("</code><br><span class=\"muted\">").append(StatusPage.esc(s.duidType())).append("</span></td>");
        h.append("<td><code>").append(StatusPage.esc(s.address())).append("</code><br><span class=\"muted\">via ")
                .append(StatusPage.esc(s.via())).append("</span></td>");
        h.append("<td>").append(c.requests()).append(c.requests() == 1 ? " request" : " requests")
                .append("<br><span class=\"muted\">last ").append(StatusPage.esc(s.time().toString()))
                .append("<br>first ").append(StatusPage.esc(c.firstSeen().toString())).append("</span></td><td><ul>");
        for (String tried : s.tried()) {
            h.append("<li>").append(StatusPage.esc(tried)).append("</li>");
        }
        h.append("</ul></td><td><code class=\"duid-line\">").append(StatusPage.esc(c.duidLine())).append("</code></td></tr>\n");
    }
}
