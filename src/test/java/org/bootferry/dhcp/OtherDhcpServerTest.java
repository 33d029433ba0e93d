package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.testing.Processes;
import org.bootferry.testing.ServerProcess;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Never two DHCP servers on one segment by accident: a real dnsmasq in full DHCP mode (its defaults,
 * ping check included) on the segment of a server-mode pool. Without {@code allowOtherServers} the
 * start refuses the interface, naming dnsmasq's address; with it bootferry serves beside it and keeps
 * reporting every OFFER and ACK dnsmasq hands a client: log, metric and status page.
 *
 * <p>dnsmasq often answers a client before we do: it pings an address at most once in 30 s (its ping
 * cache) and after that offers it at once, while our OFFER waits for our ARP probe. Its range is one
 * address, the one it pinged for our start's DISCOVER, so it answers first whenever the clients come
 * within 30 s of that ping, not only when a client's address happens to be one it pinged. The
 * clients are to be ours, so they reject dnsmasq's offers as dhclient.conf's {@code reject} does: a client
 * that took one was dnsmasq's to ACK, and dnsmasq, blocked 3 s in a ping for each new DISCOVER, may ACK
 * later than the client waits.
 *
 * <pre>
 *  bfd-osrv: bootferry  bfd-o0 10.170.0.1/24 --\
 *  bfd-orog: dnsmasq    bfd-o2 10.170.0.2/24 ---- br0 in bfd-olan
 *  bfd-ocli: DoraClients bfd-o3 -----------------/
 * </pre>
 */
class OtherDhcpServerTest {

    @TempDir
    Path dir;

    @Test
    void anInterfaceWithAnotherServerIsRefusedUnlessAllowedAndItsAnswersAreReported() throws Exception {
        Tools.requireRoot();
        Path dnsmasq = Tools.require("dnsmasq", "dnsmasq-base");
        Tools.require("ip", "iproute2");
        Tools.require("curl", "curl");
        try (Namespaces net = new Namespaces()) {
            String lan = net.create("bfd-olan");
            String srv = net.create("bfd-osrv");
            String rogue = net.create("bfd-orog");
            String cli = net.create("bfd-ocli");
            net.exec(lan, "ip", "link", "add", "br0", "type", "bridge");
            net.exec(lan, "ip", "link", "set", "br0", "up");
            for (String[] end : new String[][] {{srv, "bfd-o0"}, {rogue, "bfd-o2"}, {cli, "bfd-o3"}}) {
                Namespaces.check("ip", "link", "add", end[1], "netns", end[0], "type", "veth", "peer", end[1] + "p",
                        "netns", lan);
                net.exec(lan, "ip", "link", "set", end[1] + "p", "master", "br0", "up");
                net.exec(end[0], "ip", "link", "set", end[1], "up");
            }
            net.exec(srv, "ip", "addr", "add", "10.170.0.1/24", "dev", "bfd-o0");
            net.exec(rogue, "ip", "addr", "add", "10.170.0.2/24", "dev", "bfd-o2");
            net.exec(cli, "ip", "route", "add", "default", "dev", "bfd-o3");
            Process other = net.start(rogue, dnsmasq.toString(), "--keep-in-foreground", "--conf-file=/dev/null",
                    "--port=0", "--interface=bfd-o2", "--bind-interfaces", "--log-dhcp", "--log-facility=-",
                    "--dhcp-range=10.170.0.150,10.170.0.150,255.255.255.0,1h",
                    "--dhcp-leasefile=" + dir.resolve("dnsmasq.leases"), "--pid-file=" + dir.resolve("dnsmasq.pid"));
            ProcessLines.until(other, "DHCP, IP range 10.170.0.150", 30);

            Path refusedLog = dir.resolve("refused.log");
            Process refused = new ProcessBuilder(Namespaces.inside(srv, serveCommand(config(false))))
                    .redirectErrorStream(true).redirectOutput(refusedLog.toFile()).start();
            assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.exitValue()).isEqualTo(3);
            assertThat(Files.readString(refusedLog)).contains("bootferry: not serving DHCP: the DHCP pool on interface"
                    + " bfd-o0 is refused: another DHCP server, 10.170.0.2, answered a DISCOVER there, and two servers on"
                    + " one link give clients conflicting addresses. Stop that server, or set 'allowOtherServers: true'"
                    + " on the pool to serve beside it\n");

            try (ServerProcess server = ServerProcess.start(List.of("ip", "netns", "exec", srv), dir.resolve("serve.log"),
                    List.of("http", "dhcp"), "--config", config(true).toString())) {
                assertThat(server.log()).contains("serving the DHCP pool on interface bfd-o0 beside another DHCP server"
                        + " there, 10.170.0.2 (allowOtherServers: true)");
                List<String> lines = ProcessLines.collect(net.start(cli, Namespaces.java(DoraClients.class, "dora", "4",
                        "0", "4", "10.170.0.2"))).get(60, TimeUnit.SECONDS);
                assertThat(lines.stream().filter(l -> l.startsWith("ACK ")).toList()).as(String.join("\n", lines))
                        .hasSize(4)
                        .allMatch(l -> l.matches("ACK \\S+ 10\\.170\\.0\\.(1[0-9]|20)"), "an address of our range");
                String base = "http://127.0.0.1:" + server.port("http");
                // dnsmasq's OFFERs to the four clients come seconds after ours when it pings first: waited
                // for, each one counted.
                assertThat(replies(srv, base, 30)).as("the probe's OFFER and one to each client").isGreaterThanOrEqualTo(5);
                assertThat(curl(srv, base + "/")).contains("<h2 id=\"other-servers\" class=\"errors\">Other DHCP servers</h2>")
                        .containsPattern("<li><code>10\\.170\\.0\\.2</code> on bfd-o0: [0-9]+ answers, last [0-9]+ s ago;"
                                + " served beside it \\(allowOtherServers\\)</li>");
                assertThat(server.log()).containsOnlyOnce("another DHCP server, 10.170.0.2, hands out addresses on bfd-o0");
            }
        }
    }

    private Path config(boolean allow) throws Exception {
        Path config = dir.resolve(allow ? "allowed" : "refused");
        Files.createDirectories(config.resolve("machines"));
        Files.createDirectories(dir.resolve("tftproot"));
        Files.writeString(config.resolve("server.yaml"), String.join("\n",
                "advertise: 10.170.0.1", "httpPort: 0", "tftpPort: 0", "tftpRoot: " + dir.resolve("tftproot"),
                "state: " + dir.resolve(allow ? "state-allowed" : "state-refused"),
                "dhcp:", "  mode: server", "  pools:",
                "    - interface: bfd-o0",
                "      range: 10.170.0.10-10.170.0.20",
                "      unknownMachines: true",
                "      allowOtherServers: " + allow, ""));
        return config;
    }

    private static String[] serveCommand(Path config) {
        return new String[] {Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "org.bootferry.cli.Main", "serve", "--config", config.toString()};
    }

    /** dnsmasq's answers counted in /metrics, once they are at least 5 or {@code seconds} passed. */
    private static int replies(String ns, String base, int seconds) throws InterruptedException {
        Pattern counter = Pattern.compile("bootferry_dhcp_other_server_replies_total\\{interface=\"bfd-o0\","
                + "server=\"10\\.170\\.0\\.2\",?\\} ([0-9]+)\\.0");
        long until = System.currentTimeMillis() + seconds * 1000L;
        int count = 0;
        while (count < 5 && System.currentTimeMillis() < until) {
            Matcher m = counter.matcher(curl(ns, base + "/metrics"));
            count = m.find() ? Integer.parseInt(m.group(1)) : 0;
            Thread.sleep(500);
        }
        return count;
    }

    private static String curl(String ns, String url) {
        Processes.Result r = Processes.run(List.of(Namespaces.inside(ns, "curl", "-sS", "--fail", url)), 30);
        assertThat(r.exit()).as(r.stderr()).isZero();
        return r.text();
    }
}
