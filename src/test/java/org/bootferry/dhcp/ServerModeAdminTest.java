package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bootferry.testing.Commands;
import org.bootferry.testing.ServerProcess;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an admin sees of server mode's addresses while it runs: a real bootferry in one namespace,
 * three real DORA exchanges from another, then {@code /api/leases}, {@code /api/machines/M}, the status
 * page, {@code bootferry leases} and {@code explain} against the same state directory, and dig against
 * its DNS listener on loopback.
 *
 * <pre>
 *  bfd-acli ns                             bfd-asrv ns
 *  DoraClients :68 -- bfd-a1 ==== bfd-a0 10.169.0.1/24 -- bootferry serve (dhcp mode server)
 * </pre>
 */
class ServerModeAdminTest {

    private static final String RESERVED_MAC = DoraClients.mac(1).toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void leasesReservationsAndNamesAreInTheApiTheStatusPageTheCliAndExplain() throws Exception {
        Tools.requireRoot();
        Tools.require("ip", "iproute2");
        Tools.require("curl", "curl");
        Tools.require("dig", "dnsutils");
        Path config = dir.resolve("config");
        Files.createDirectories(config.resolve("machines"));
        Files.createDirectories(dir.resolve("tftproot"));
        Files.writeString(config.resolve("server.yaml"), String.join("\n",
                "advertise: 10.169.0.1", "httpPort: 0", "tftpPort: 0", "tftpRoot: " + dir.resolve("tftproot"),
                "state: " + dir.resolve("state"),
                "dhcp:", "  mode: server", "  pools:",
                "    - interface: bfd-a0",
                "      range: 10.169.0.10-10.169.0.20",
                "      netmask: 255.255.255.0",
                "      unknownMachines: true",
                "  dns: {port: 0, zone: lab}", ""));
        Files.writeString(config.resolve("vmlinuz"), "kernel");
        Files.writeString(config.resolve("machines").resolve(DoraClients.mac(1).dashed() + ".yaml"),
                "hostname: node-01\nip: 10.169.0.5\nkernelBoot:\n  files: {kernel: vmlinuz}\n");

        try (Namespaces net = new Namespaces()) {
            String srv = net.create("bfd-asrv");
            String cli = net.create("bfd-acli");
            Namespaces.check("ip", "link", "add", "bfd-a0", "netns", srv, "type", "veth", "peer", "bfd-a1", "netns", cli);
            net.exec(srv, "ip", "addr", "add", "10.169.0.1/24", "dev", "bfd-a0");
            net.exec(srv, "ip", "link", "set", "bfd-a0", "up");
            net.exec(cli, "ip", "link", "set", "bfd-a1", "up");
            net.exec(cli, "ip", "route", "add", "default", "dev", "bfd-a1");
            try (ServerProcess server = ServerProcess.start(List.of("ip", "netns", "exec", srv), dir.resolve("serve.log"),
                    List.of("http", "dhcp", "dns"), "--config", config.toString())) {
                List<String> acked = ProcessLines.collect(net.start(cli, Namespaces.java(DoraClients.class, "dora", "3",
                        "0", "3"))).get(60, TimeUnit.SECONDS).stream().filter(l -> l.startsWith("ACK ")).sorted().toList();
                assertThat(acked).containsExactly("ACK " + DoraClients.mac(0) + " 10.169.0.10",
                        "ACK " + RESERVED_MAC + " 10.169.0.5", "ACK " + DoraClients.mac(2) + " 10.169.0.11");
                String base = "http://127.0.0.1:" + server.port("http");

                JsonNode leases = JSON.readTree(curl(srv, base + "/api/leases"));
                assertThat(leases).hasSize(3);
                assertThat(leases.get(0).get("address").asText()).isEqualTo("10.169.0.5");
                assertThat(leases.get(0).get("mac").asText()).isEqualTo(RESERVED_MAC);
                assertThat(leases.get(0).get("hostname").asText()).isEqualTo("node-01");
                assertThat(leases.get(0).get("state").asText()).isEqualTo("bound");
                assertThat(leases.get(0).get("reserved").asBoolean()).isTrue();
                assertThat(leases.get(0).get("pool").asText()).isEqualTo("interface bfd-a0");
                assertThat(leases.get(1).get("address").asText()).isEqualTo("10.169.0.10");
                assertThat(leases.get(1).has("hostname")).isFalse();

                JsonNode machine = JSON.readTree(curl(srv, base + "/api/machines/" + RESERVED_MAC));
                assertThat(machine.get("address").get(0).get("address").asText()).isEqualTo("10.169.0.5");
                assertThat(machine.get("address").get(0).get("how").asText())
                        .isEqualTo("its reservation (ip: in its machine file)");
                assertThat(machine.get("leases").get(0).get("state").asText()).isEqualTo("bound");

                String page = curl(srv, base + "/");
                assertThat(page).contains("<h2 id=\"leases\">DHCP leases</h2>")
                        .containsPattern("<tr><td><code>10\\.169\\.0\\.5</code></td><td><code>" + RESERVED_MAC
                                + "</code></td><td>node-01</td><td>bound, reserved</td><td>20[0-9T:.-]+Z</td>"
                                + "<td>interface bfd-a0</td></tr>");

                Commands.Run list = Commands.bootferry("leases", "--config", config.toString());
                assertThat(list.exit()).as(list.err()).isZero();
                assertThat(list.out().lines().toList()).hasSize(4);
                assertThat(list.out().lines().toList().get(1)).startsWith(String.format("%-15s  %-17s  %-20s  %-20s  ",
                        "10.169.0.5", RESERVED_MAC, "node-01", "bound, reserved")).endsWith("interface bfd-a0");
                Commands.Run json = Commands.bootferry("leases", "--config", config.toString(), "--json");
                assertThat(JSON.readTree(json.out())).isEqualTo(leases);

                String dns = String.valueOf(server.port("dns"));
                String a = dig(srv, "-p", dns, "node-01.lab", "A");
                assertThat(a).contains("status: NOERROR").containsPattern("flags: qr aa rd;")
                        .containsPattern("(?m)^node-01\\.lab\\.\\s+60\\s+IN\\s+A\\s+10\\.169\\.0\\.5$");
                assertThat(dig(srv, "-p", dns, "-x", "10.169.0.5")).contains("status: NOERROR")
                        .containsPattern("(?m)^5\\.0\\.169\\.10\\.in-addr\\.arpa\\.\\s+60\\s+IN\\s+PTR\\s+node-01\\.lab\\.$");
                assertThat(dig(srv, "-p", dns, "node-09.lab", "A")).contains("status: NXDOMAIN").contains("flags: qr aa rd;");
                assertThat(dig(srv, "-p", dns, "example.org", "A")).contains("status: REFUSED").contains("flags: qr rd;");

                Commands.Run explain = Commands.bootferry("explain", DoraClients.mac(2).toString(), "--config",
                        config.toString());
                assertThat(explain.out()).as("an unknown machine with a lease").matches("address   10\\.169\\.0\\.11 on"
                        + " interface bfd-a0: its lease, until 20[0-9T:.-]+Z; an unknown machine: an address, never a boot"
                        + " answer\n" + DoraClients.mac(2) + ": not answered \\(no machines/.*\\)\n");
            }
        }
    }

    /** dig's answer from the server's DNS listener on loopback, its one try a second at most. */
    private static String dig(String ns, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("dig", "@127.0.0.1", "+tries=1", "+time=2"));
        command.addAll(List.of(args));
        Namespaces.Result r = Namespaces.run(Namespaces.inside(ns, command.toArray(String[]::new)));
        assertThat(r.exit()).as(r.output()).isZero();
        return r.output();
    }

    private static String curl(String ns, String url) {
        Namespaces.Result r = Namespaces.run(Namespaces.inside(ns, "curl", "-sS", "--fail", url));
        assertThat(r.exit()).as(r.output()).isZero();
        return r.output();
    }
}
