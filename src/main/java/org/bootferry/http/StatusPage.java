package org.bootferry.http;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.boot.BootPlanException;
import org.bootferry.boot.Booter;
import org.bootferry.boot.Explanation;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.ServerSettings;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.BootHistory;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.UnidentifiedClients;
import org.bootferry.machine.MacAddress;

/**
 * The status page at {@code /}: machines, their plan, their last boot as a timeline, config
 * errors, the machines discovery saw ({@link DiscoveredTable}), the DHCPv6 clients no MAC was found for
 * ({@link UnidentifiedTable}), what to do next on an empty config, and in DHCP
 * server mode its leases and any other DHCP server heard on its links. Plain server-rendered HTML that reads
 * without JavaScript; every value is escaped.
 */
final class StatusPage {

    /** Machines listed in full; the rest are counted and left to /api/machines. */
    static final int MAX_ROWS = 500;

    private StatusPage() {
    }

    static String render(ConfigSnapshot snapshot, BootHistory history, Booter booter, Addressing addressing,
            Discoveries discoveries, UnidentifiedClients unidentified) {
        Map<MacAddress, List<BootEvent>> boots = history.lastBoots();
        List<MacAddress> macs = new ArrayList<>(snapshot.machines().keySet());
        // Machines that booted most recently first: that is where an admin looks.
        macs.sort(Comparator.comparing((MacAddress m) -> lastTime(boots.get(m))).reversed()
                .thenComparing(Comparator.naturalOrder()));
        StringBuilder h = new StringBuilder(16 * 1024);
        h.append("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <meta http-equiv="refresh" content="10">
                <title>bootferry</title>
                <style>
                body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
                h1{font-size:1.4em;margin:0 0 .2em} h2{font-size:1.1em;margin:1.4em 0 .4em}
                table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #ddd;vertical-align:top}
                th{background:#f4f4f4} code{font-size:12px}
                .errors li{color:#a00} .errors{color:#a00} .warn{color:#a50}
                .tl{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25em}
                .tl li{background:#e8f0fe;border-radius:3px;padding:0 .4em;font-size:12px}
                .tl li.last{background:#1a73e8;color:#fff;font-weight:600}
                .tl li.failed{background:#c5221f;color:#fff}
                .muted{color:#777}
                </style></head><body>
                """);
        h.append("<h1>bootferry</h1><p class=\"muted\">serving at ")
                .append(esc(snapshot.settings().advertise().orElse(snapshot.settings().bind())))
                .append(" &middot; ").append(snapshot.machines().size()).append(" machines")
                .append(snapshot.defaultMachine().isPresent() ? " + default for unknown MACs" : "")
                .append(" &middot; config ").append(esc(snapshot.dir().toString())).append("</p>\n");
        otherServers(h, addressing.otherServers());
        h.append("<h2 id=\"errors\">Config errors</h2>\n");
        if (snapshot.errors().isEmpty()) {
            h.append("<p class=\"muted\">none</p>\n");
        } else {
            h.append("<ul class=\"errors\">\n");
            for (ConfigError e : snapshot.errors()) {
                h.append("<li><code>").append(esc(e.toString())).append("</code></li>\n");
            }
            h.append("</ul><p class=\"muted\">Files with errors are not in force; their last good version is.</p>\n");
        }
        if (snapshot.machines().isEmpty()) {
            nextSteps(h, snapshot);
        }
        DiscoveredTable.render(h, snapshot, Api.unconfigured(discoveries, booter), discoveries.dropped());
        if (snapshot.settings().dhcp6().mode() != ServerSettings.Dhcp6.Mode.OFF || !unidentified.clients().isEmpty()) {
            UnidentifiedTable.render(h, unidentified.clients(), unidentified.dropped());
        }
        h.append("<h2 id=\"machines\">Machines</h2>\n<table id=\"machine-table\"><thead><tr><th>MAC</th><th>Host</th>"
                + "<th>Boots</th><th>Install</th><th>Last boot</th></tr></thead><tbody>\n");
        for (MacAddress mac : macs.subList(0, Math.min(MAX_ROWS, macs.size()))) {
            row(h, booter, mac, boots.getOrDefault(mac, List.of()));
        }
        h.append("</tbody></table>\n");
        if (macs.size() > MAX_ROWS) {
            h.append("<p class=\"muted\">").append(macs.size() - MAX_ROWS)
                    .append(" more machines: see <a href=\"/api/machines\">/api/machines</a></p>\n");
        }
        if (snapshot.settings().dhcp().mode() == ServerSettings.Dhcp.Mode.SERVER) {
            leases(h, addressing.addresses());
        }
        if (snapshot.settings().dhcp6().mode() == ServerSettings.Dhcp6.Mode.SERVER) {
            bindings6(h, addressing.bindings6());
        }
        h.append("<p class=\"muted\">API: <a href=\"/api/machines\">/api/machines</a> &middot; "
                + "<a href=\"/api/leases\">/api/leases</a> &middot; "
                + "<a href=\"/api/events\">/api/events</a> &middot; <a href=\"/api/discovered\">/api/discovered</a> &middot; "
                + "<a href=\"/api/unidentified\">/api/unidentified</a> &middot; <a href=\"/api/config/errors\">/api/config/errors</a>"
                + " &middot; <a href=\"/metrics\">/metrics</a></p>\n</body></html>\n");
        return h.toString();
    }

    /** Other DHCP servers heard on server mode's links: shown only when there are any, in red. */
    private static void otherServers(StringBuilder h, List<Addressing.OtherServer> servers) {
        if (servers.isEmpty()) {
            return;
        }
        h.append("<h2 id=\"other-servers\" class=\"errors\">Other DHCP servers</h2>\n<ul class=\"errors\">\n");
        for (Addressing.OtherServer o : servers) {
            h.append("<li><code>").append(o.server().getHostAddress()).append("</code> on ").append(esc(o.iface()))
                    .append(": ").append(o.replies()).append(" answers, last ")
                    .append(esc(ago(Instant.ofEpochMilli(o.lastSeen()))))
                    .append(o.refused() ? "; the interface is refused" : "; served beside it (allowOtherServers)")
                    .append("</li>\n");
        }
        h.append("</ul><p class=\"muted\">Two DHCP servers on one link give clients conflicting addresses.</p>\n");
    }

    /** DHCP server mode's leases and reservations, in address order. */
    private static void leases(StringBuilder h, List<Addressing.Address> addresses) {
        h.append("<h2 id=\"leases\">DHCP leases</h2>\n");
        if (addresses.isEmpty()) {
            h.append("<p class=\"muted\">none yet</p>\n");
            return;
        }
        h.append("<table id=\"lease-table\"><thead><tr><th>Address</th><th>MAC</th><th>Host</th><th>State</th>"
                + "<th>Until</th><th>Pool</th></tr></thead><tbody>\n");
        for (Addressing.Address a : addresses.subList(0, Math.min(MAX_ROWS, addresses.size()))) {
            h.append("<tr><td><code>").append(a.address().getHostAddress()).append("</code></td><td><code>")
                    .append(a.mac().map(Object::toString).orElse("")).append("</code></td><td>")
                    .append(esc(a.hostname().orElse(""))).append("</td><td>").append(a.state().id())
                    .append(a.reserved() && a.state() != Addressing.State.RESERVED ? ", reserved" : "").append("</td><td>")
                    .append(a.state() == Addressing.State.RESERVED ? "" : Instant.ofEpochMilli(a.expires()).toString())
                    .append("</td><td>").append(esc(a.pool())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        if (addresses.size() > MAX_ROWS) {
            h.append("<p class=\"muted\">").append(addresses.size() - MAX_ROWS)
                    .append(" more: see <a href=\"/api/leases\">/api/leases</a></p>\n");
        }
    }

    /** DHCPv6 server mode's binding records, in address order, with the client's DUID and IAID. */
    private static void bindings6(StringBuilder h, List<Addressing.Binding6> bindings) {
        h.append("<h2 id=\"leases6\">DHCPv6 leases</h2>\n");
        if (bindings.isEmpty()) {
            h.append("<p class=\"muted\">none yet</p>\n");
            return;
        }
        h.append("<table id=\"lease6-table\"><thead><tr><th>Address</th><th>MAC</th><th>Host</th><th>State</th>"
                + "<th>Until</th><th>Pool</th><th>DUID / IAID</th></tr></thead><tbody>\n");
        for (Addressing.Binding6 b : bindings.subList(0, Math.min(MAX_ROWS, bindings.size()))) {
            h.append("<tr><td><code>").append(esc(b.address())).append("</code></td><td><code>")
                    .append(b.mac().map(Object::toString).orElse("")).append("</code></td><td>")
                    .append(esc(b.hostname().orElse(""))).append("</td><td>").append(b.state().id())
                    .append(b.reserved() && b.state() != Addressing.State.RESERVED ? ", reserved" : "").append("</td><td>")
                    .append(b.state() == Addressing.State.RESERVED ? "" : Instant.ofEpochMilli(b.expires()).toString())
                    .append("</td><td>").append(esc(b.pool()))
                    .append("</td><td><code>").append(esc(b.duid().orElse("")))
                    .append(b.iaid().isPresent() ? " / " + b.iaid().getAsLong() : "").append("</code></td></tr>\n");
        }
        h.append("</tbody></table>\n");
        if (bindings.size() > MAX_ROWS) {
            h.append("<p class=\"muted\">").append(bindings.size() - MAX_ROWS)
                    .append(" more: see <a href=\"/api/leases\">/api/leases</a></p>\n");
        }
    }

    /**
     * What a newcomer does on a config with no machine yet: boot a machine, find it under "Seen, not
     * configured", adopt it; or copy an example.
     */
    private static void nextSteps(StringBuilder h, ConfigSnapshot snapshot) {
        h.append("<h2 id=\"start\">No machines yet</h2>\n<ol id=\"next-steps\">")
                .append("<li>Network-boot a machine on this network (PXE or UEFI HTTP Boot). bootferry answers it not,"
                        + " but lists it below under <a href=\"#discovered\">Seen, not configured</a>.</li>")
                .append("<li>Adopt it: <code>bootferry adopt MAC --profile PROFILE</code>, or copy its machine file to <code>")
                .append(esc(snapshot.dir().resolve("machines").toString()))
                .append("/</code>. The next DHCP retry of the machine boots it.</li>")
                .append("<li>Profiles in force: ").append(snapshot.profiles().isEmpty() ? "none yet; see <code>"
                        + esc(snapshot.dir().resolve("examples").toString()) + "</code>"
                        : esc(String.join(", ", new java.util.TreeSet<>(snapshot.profiles().keySet())))).append(".</li>")
                .append("<li>Or give a batch one file: <code>match: {macs: [\"52:54:00:aa:*\"]}</code> in"
                        + " <code>machines/&lt;any name&gt;.yaml</code>.</li></ol>\n");
    }

    private static void row(StringBuilder h, Booter booter, MacAddress mac, List<BootEvent> boot) {
        h.append("<tr id=\"m-").append(mac.dashed()).append("\"><td><code>").append(mac).append("</code></td>");
        Optional<Explanation> e;
        try {
            e = booter.explain(mac);
        } catch (BootPlanException ex) {
            h.append("<td colspan=\"3\" class=\"errors\">").append(esc(ex.getMessage())).append("</td>");
            timeline(h, boot);
            h.append("</tr>\n");
            return;
        }
        if (e.isEmpty()) {
            h.append("<td colspan=\"3\"></td>");
        } else {
            Explanation x = e.get();
            h.append("<td>").append(esc(x.hostname())).append(x.profile().map(p -> "<br><span class=\"muted\">profile "
                    + esc(p) + "</span>").orElse("")).append("</td>");
            h.append("<td>").append(x.kernel().map(k -> "<code>" + esc(k.from()) + "</code>")
                    .orElse("<span class=\"muted\">its loader's own menu</span>"));
            x.kernelFormat().ifPresent(f -> h.append("<br><span class=\"muted\">").append(esc(f)).append("</span>"));
            x.imagePull().ifPresent(p -> h.append("<br><span class=\"muted\">prefetch: ").append(esc(p)).append("</span>"));
            x.warnings().forEach(w -> h.append("<br><span class=\"warn\">").append(esc(w)).append("</span>"));
            x.initrds().forEach(i -> h.append("<br><code>").append(esc(i.from())).append("</code>"));
            h.append("<br><span class=\"muted\">").append(esc(x.cmdline())).append("</span></td>");
            h.append("<td>").append(!x.bootOnce() ? "every boot" : x.installed().map(t -> "installed " + esc(t)
                    + ": local disk").orElse("pending")).append("</td>");
        }
        timeline(h, boot);
        h.append("</tr>\n");
    }

    private static void timeline(StringBuilder h, List<BootEvent> boot) {
        h.append("<td>");
        if (boot.isEmpty()) {
            h.append("<span class=\"muted\">not seen</span></td>");
            return;
        }
        h.append("<ol class=\"tl\">");
        for (int i = 0; i < boot.size(); i++) {
            BootEvent ev = boot.get(i);
            String cls = ev.stage() == BootEvent.Stage.FAILED ? "failed" : i == boot.size() - 1 ? "last" : "";
            h.append("<li").append(cls.isEmpty() ? "" : " class=\"" + cls + "\"").append(" title=\"")
                    .append(esc(ev.time() + " " + ev.detail())).append("\">").append(ev.stage().id()).append("</li>");
        }
        BootEvent last = boot.get(boot.size() - 1);
        h.append("</ol><span class=\"muted\">").append(esc(ago(last.time()))).append(": ")
                .append(esc(last.detail())).append("</span></td>");
    }

    private static Instant lastTime(List<BootEvent> boot) {
        return boot == null || boot.isEmpty() ? Instant.EPOCH : boot.get(boot.size() - 1).time();
    }

    private static String ago(Instant t) {
        long s = Math.max(0, Duration.between(t, Instant.now()).getSeconds());
        return s < 120 ? s + " s ago" : s < 7200 ? s / 60 + " min ago" : s / 3600 + " h ago";
    }

    /** HTML-escapes text for element content and attribute values. */
    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
