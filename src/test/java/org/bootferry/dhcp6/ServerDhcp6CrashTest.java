package org.bootferry.dhcp6;

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
import org.bootferry.testing.NetNamespace;
import org.bootferry.testing.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DHCPv6 server mode's bindings survive kill -9, as DHCPv4's do (DhcpServerCrashTest): a real
 * bootferry process in one namespace, a burst of relayed SOLICIT/REQUEST exchanges from another, the
 * server killed mid-burst and started again on the same state directory. Every binding a client saw
 * in a REPLY is still its own (its RENEW is extended, same address), no address was given twice, and
 * new clients after the restart get none of them.
 *
 * <pre>
 *  v6k-cli ns: fd42::2, Dhcp6Clients (a relay agent's RELAY-FORW) -- v6k-1 ==== v6k-0 -- v6k-srv ns: fd42::1, bootferry serve
 * </pre>
 */
class ServerDhcp6CrashTest {

    private static final int BURST = 600;
    private static final int KILL_AFTER_BOUND = 200;

    @TempDir
    Path dir;

    @Test
    void everyReplyBoundBindingOutlivesKillNineAndNoAddressIsGivenTwice() throws Exception {
        Path config = dir.resolve("config");
        Files.createDirectories(config.resolve("machines"));
        Files.createDirectories(dir.resolve("tftproot"));
        Files.writeString(config.resolve("server.yaml"), String.join("\n",
                "httpPort: 0", "tftpPort: 0", "tftpRoot: " + dir.resolve("tftproot"), "state: " + dir.resolve("state"),
                "dhcp: false",
                "advertise6: fd42::1",
                "dhcp6:",
                "  mode: server",
                "  interfaces: [v6k-0]",
                "  pxePort: 0",
                "  pools:",
                "    - interface: v6k-0",
                "      prefix: fd42::/64",
                "      range: fd42::1000-fd42::ffff",
                "      unknownMachines: true", ""));
        try (NetNamespace srv = NetNamespace.create("v6k-srv"); NetNamespace cli = NetNamespace.create("v6k-cli")) {
            srv.run("ip", "link", "add", "v6k-0", "type", "veth", "peer", "v6k-1", "netns", cli.name());
            srv.run("ip", "addr", "add", "fd42::1/64", "dev", "v6k-0", "nodad");
            srv.run("ip", "link", "set", "v6k-0", "up");
            cli.run("ip", "addr", "add", "fd42::2/64", "dev", "v6k-1", "nodad");
            cli.run("ip", "link", "set", "v6k-1", "up");

            List<String> bound = new ArrayList<>();
            try (ServerProcess server = serve(srv, "first")) {
                Process burst = new ProcessBuilder(cli.exec(java("bind", String.valueOf(BURST), "16", "0")))
                        .redirectErrorStream(true).start();
                BufferedReader out = new BufferedReader(new InputStreamReader(burst.getInputStream(),
                        StandardCharsets.UTF_8));
                boolean killed = false;
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("BOUND ")) {
                        bound.add(line);
                    }
                    if (!killed && bound.size() >= KILL_AFTER_BOUND) {
                        server.kill9();
                        killed = true;
                    }
                }
                assertThat(burst.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(killed).as("killed mid-burst; bound: " + bound.size()).isTrue();
                assertThat(bound.size()).as("the burst was cut short by the kill").isLessThan(BURST);
            }
            assertThat(field(bound, 2)).as("no address given twice before the kill").hasSize(bound.size());

            try (ServerProcess server = serve(srv, "second")) {
                Path file = dir.resolve("bound.txt");
                Files.write(file, bound);
                List<String> renewed = run(cli, java("renew", file.toString()));
                assertThat(renewed.stream().filter(l -> !l.startsWith("AGAIN ")).toList())
                        .as("every binding a REPLY carried is still its client's after kill -9")
                        .isEqualTo(bound.stream().map(l -> "RENEWED " + l.split(" ")[1] + " " + l.split(" ")[2]).toList());
                List<String> fresh = run(cli, java("bind", "100", "4", String.valueOf(BURST)));
                List<String> freshBound = fresh.stream().filter(l -> l.startsWith("BOUND ")).toList();
                assertThat(freshBound).as(String.join("\n", fresh)).hasSize(100);
                assertThat(field(freshBound, 2)).hasSize(100).doesNotContainAnyElementsOf(field(bound, 2));
                assertThat(server.log()).doesNotContain("ERROR");
            }
            System.out.println("ServerDhcp6CrashTest: " + bound.size() + " bindings before the kill, all renewed after");
        }
    }

    private ServerProcess serve(NetNamespace ns, String name) {
        return ServerProcess.start(List.of("ip", "netns", "exec", ns.name()), dir.resolve(name + ".log"),
                List.of("dhcp6"), "--config", dir.resolve("config").toString());
    }

    private static List<String> run(NetNamespace ns, List<String> command) throws Exception {
        Process p = new ProcessBuilder(ns.exec(command)).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return lines;
    }

    private static Set<String> field(List<String> lines, int field) {
        Set<String> values = new HashSet<>();
        lines.forEach(l -> values.add(l.split(" ")[field]));
        return values;
    }

    private static List<String> java(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Dhcp6Clients.class.getName(), args[0],
                "fd42::1", "fd42::"));
        command.addAll(List.of(args).subList(1, args.length));
        return command;
    }
}
