package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bootferry.testing.ServerProcess;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server mode's leases survive kill -9: a real bootferry process in one namespace, a burst of DORA
 * exchanges from a client namespace, the server killed mid-burst and started again on the same state
 * directory. Every lease a client saw ACKed is still its own (an INIT-REBOOT REQUEST for it is ACKed
 * with the same address), and no address was given twice, before or after.
 *
 * <pre>
 *  bfd-kcli ns                             bfd-ksrv ns
 *  DoraClients :68 -- bfd-k1 ==== bfd-k0 10.168.0.1/21 -- bootferry serve (dhcp mode server)
 * </pre>
 */
class DhcpServerCrashTest {

    private static final String SERVER = "10.168.0.1";
    private static final int BURST = 1000;
    private static final int KILL_AFTER_ACKS = 300;

    @TempDir
    Path dir;

    @Test
    void everyAckedLeaseOutlivesKillNineAndNoAddressIsGivenTwice() throws Exception {
        Tools.requireRoot();
        Tools.require("ip", "iproute2");
        Path config = dir.resolve("config");
        Files.createDirectories(config.resolve("machines"));
        Files.createDirectories(dir.resolve("tftproot"));
        Files.writeString(config.resolve("server.yaml"), String.join("\n",
                "advertise: " + SERVER,
                "httpPort: 0",
                "tftpPort: 0",
                "tftpRoot: " + dir.resolve("tftproot"),
                "state: " + dir.resolve("state"),
                "dhcp:",
                "  mode: server",
                "  pools:",
                "    - interface: bfd-k0",
                "      range: 10.168.0.10-10.168.7.250",
                "      netmask: 255.255.248.0",
                "      leaseTime: 1h",
                "      unknownMachines: true", ""));

        try (Namespaces net = new Namespaces()) {
            String srv = net.create("bfd-ksrv");
            String cli = net.create("bfd-kcli");
            Namespaces.check("ip", "link", "add", "bfd-k0", "netns", srv, "type", "veth", "peer", "bfd-k1", "netns", cli);
            net.exec(srv, "ip", "addr", "add", SERVER + "/21", "dev", "bfd-k0");
            net.exec(srv, "ip", "link", "set", "bfd-k0", "up");
            net.exec(cli, "ip", "link", "set", "bfd-k1", "up");
            net.exec(cli, "ip", "route", "add", "default", "dev", "bfd-k1");

            List<String> acked = new ArrayList<>();
            try (ServerProcess server = serve(srv, "first")) {
                Process burst = net.start(cli, Namespaces.java(DoraClients.class, "dora", String.valueOf(BURST), "0", "64"));
                BufferedReader out = new BufferedReader(new InputStreamReader(burst.getInputStream(), StandardCharsets.UTF_8));
                boolean killed = false;
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("ACK ")) {
                        acked.add(line);
                    }
                    if (!killed && acked.size() >= KILL_AFTER_ACKS) {
                        server.kill9();
                        killed = true;
                    }
                }
                assertThat(burst.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(killed).as("the server was killed mid-burst; ACKs: " + acked.size()).isTrue();
                assertThat(acked.size()).as("the burst was cut short by the kill").isLessThan(BURST);
            }
            assertThat(distinct(acked, 2)).as("no address given twice before the kill").hasSize(acked.size());
            assertThat(distinct(acked, 1)).as("one ACK per client").hasSize(acked.size());

            try (ServerProcess server = serve(srv, "second")) {
                Path ackedFile = dir.resolve("acked.txt");
                Files.write(ackedFile, acked);
                List<String> rebooted = lines(net.start(cli, Namespaces.java(DoraClients.class, "reboot",
                        ackedFile.toString())), 120);
                assertThat(rebooted).as("every ACKed lease is still its client's after kill -9").isEqualTo(acked);

                List<String> fresh = lines(net.start(cli, Namespaces.java(DoraClients.class, "dora", "200", "100000",
                        "64")), 120);
                assertThat(fresh).hasSize(200).allMatch(l -> l.startsWith("ACK "));
                Set<String> before = distinct(acked, 2);
                assertThat(distinct(fresh, 2)).hasSize(200).doesNotContainAnyElementsOf(before);
                assertThat(server.log()).doesNotContain("ERROR");
            }
        }
    }

    private ServerProcess serve(String ns, String name) {
        return ServerProcess.start(List.of("ip", "netns", "exec", ns), dir.resolve(name + ".log"), List.of("dhcp"),
                "--config", dir.resolve("config").toString());
    }

    private static List<String> lines(Process p, int seconds) throws Exception {
        List<String> lines = ProcessLines.collect(p).get(seconds, TimeUnit.SECONDS);
        long again = lines.stream().filter(l -> l.startsWith("AGAIN ")).count();
        System.out.println("DhcpServerCrashTest: " + again + " retransmissions by the clients");
        return lines.stream().filter(l -> !l.startsWith("AGAIN ") && l.matches("[A-Z]+ [0-9a-f:]{17}.*")).toList();
    }

    /** The distinct values of one field of {@code ACK mac ip} lines. */
    private static Set<String> distinct(List<String> lines, int field) {
        Set<String> values = new HashSet<>();
        lines.forEach(l -> values.add(l.split(" ")[field]));
        return values;
    }
}
