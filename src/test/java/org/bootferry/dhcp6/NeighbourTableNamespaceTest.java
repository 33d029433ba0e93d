package org.bootferry.dhcp6;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bootferry.testing.NetNamespace;
import org.bootferry.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that shows no MAC (DUID-UUID, a source address that is neither EUI-64 nor link-local)
 * and whose SOLICIT we never saw is named by the kernel's IPv6 neighbour table: EDK2's boot-service
 * REQUEST, replayed to [fd42::1]:4011 from fd42::18b as reference/ipv6's {@code proxy6-pxe} saw it.
 * Sending it unicast makes the client's kernel solicit our address first, and ours keeps the
 * client's link-layer address from that Neighbor Solicitation (RFC 4861 §7.2.3).
 *
 * <pre>
 *  nb6-cli ns: nb6-c 52:54:00:12:34:56, fd42::18b (stable-privacy-like), Dhcp6Probe [fd42::18b]:4011
 *     |
 *  nb6-boot ns: nb6-b fd42::1, bootferry's Dhcp6Server (547, 4011), its neighbour table read with ip
 * </pre>
 */
class NeighbourTableNamespaceTest {

    @TempDir
    Path dir;

    @Test
    void edk2RequestFromANonEui64AddressIsNamedByTheNeighbourEntryItsSolicitationLeft() throws Exception {
        BootConfig6.planner(dir.resolve("config"), "");
        Path request = dir.resolve("request.bin");
        Files.write(request, Captures6.bytes(Captures6.EDK2_BINL_REQUEST_4011));
        try (NetNamespace cli = NetNamespace.create("nb6-cli"); NetNamespace boot = NetNamespace.create("nb6-boot")) {
            cli.run("ip", "link", "add", "nb6-c", "address", BootConfig6.VM.toString(), "type", "veth", "peer", "nb6-b",
                    "netns", boot.name());
            cli.run("ip", "addr", "add", "fd42::18b/64", "dev", "nb6-c", "nodad");
            boot.run("ip", "addr", "add", "fd42::1/64", "dev", "nb6-b", "nodad");
            cli.run("ip", "link", "set", "nb6-c", "up");
            boot.run("ip", "link", "set", "nb6-b", "up");
            assertThat(boot.run("ip", "-6", "neigh", "show", "dev", "nb6-b")).as("no entry before").isBlank();

            Process bootferry = new ProcessBuilder(boot.exec(JavaMains.command(Dhcp6Process.class, dir.resolve("config").toString(),
                    "nb6-b", "fd42::1", request.toString()))).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(bootferry.getInputStream(),
                        StandardCharsets.UTF_8));
                String line = CompletableFuture.supplyAsync(() -> JavaMains.firstLine(out, "listening dhcp6"))
                        .get(60, TimeUnit.SECONDS);
                assertThat(line).startsWith("listening dhcp6 547 4011");
                StringBuffer serverLog = new StringBuffer();
                CompletableFuture.runAsync(() -> out.lines().forEach(l -> serverLog.append(l).append('\n')));

                Process probe = new ProcessBuilder(cli.exec(JavaMains.command(Dhcp6Probe.class, request.toString(), "nb6-c", "20000",
                        "fd42::18b", "fd42::1", "4011"))).redirectErrorStream(true).start();
                String text = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
                List<String> answers = text.lines().filter(l -> l.startsWith("ANSWER ")).toList();

                assertThat(answers).as("probe: " + text + "\nbootferry: " + serverLog).hasSize(1);
                Dhcp6Message.ClientServer reply = (Dhcp6Message.ClientServer) Dhcp6Codec.decode(
                        HexFormat.of().parseHex(answers.get(0).split(" ")[2]));
                assertThat(reply.type()).isEqualTo(Dhcp6MessageType.REPLY);
                assertThat(reply.option(Dhcp6Option.BootfileUrl.class).orElseThrow().url())
                        .isEqualTo("tftp://[fd42::1]/ipxe.efi");
                assertThat(boot.run("ip", "-6", "neigh", "show", "to", "fd42::18b", "dev", "nb6-b"))
                        .contains("lladdr " + BootConfig6.VM);
            } finally {
                bootferry.getOutputStream().close();
                Processes.stop(bootferry);
            }
        }
    }
}
