package org.bootferry.dhcp6;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bootferry.testing.NetNamespace;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boot-only DHCPv6 beside a site DHCPv6 server on an IPv6-only link (no IPv4 address anywhere): the
 * captured EDK2 PXE SOLICIT, replayed from the client's EUI-64 link-local address to ff02::1:2, gets
 * dnsmasq's ADVERTISE with an address and bootferry's with the boot file and PXEClient.
 *
 * <pre>
 *  bf6-cli ns: br0 52:54:00:12:34:56 (fe80::5054:ff:fe12:3456), Dhcp6Probe :546
 *     |-- bf6-cb ==== bf6-b0  bf6-boot ns: fd42::1, bootferry's Dhcp6Server (ff02::1:2 joined, 547, 4011)
 *     \-- bf6-cs ==== bf6-s0  bf6-site ns: fd42::2, dnsmasq (addresses fd42::100-fd42::1ff)
 * </pre>
 */
class BootOnly6NamespaceTest {

    @TempDir
    Path dir;

    @Test
    void edk2SolicitGetsTheSiteServersAddressAndBootferrysBootFile() throws Exception {
        Path dnsmasq = Tools.require("dnsmasq", "dnsmasq-base");
        BootConfig6.planner(dir.resolve("config"), "");
        Path solicit = dir.resolve("solicit.bin");
        Files.write(solicit, Captures6.bytes(Captures6.EDK2_PXE_SOLICIT));
        try (NetNamespace cli = NetNamespace.create("bf6-cli"); NetNamespace boot = NetNamespace.create("bf6-boot");
                NetNamespace site = NetNamespace.create("bf6-site")) {
            cli.run("ip", "link", "add", "br0", "address", "52:54:00:12:34:56", "type", "bridge", "mcast_snooping", "0");
            for (String[] pair : new String[][] {{"bf6-cb", "bf6-b0", boot.name()}, {"bf6-cs", "bf6-s0", site.name()}}) {
                cli.run("ip", "link", "add", pair[0], "type", "veth", "peer", pair[1], "netns", pair[2]);
                cli.run("ip", "link", "set", pair[0], "master", "br0", "up");
            }
            boot.run("ip", "addr", "add", "fd42::1/64", "dev", "bf6-b0", "nodad");
            boot.run("ip", "link", "set", "bf6-b0", "up");
            site.run("ip", "addr", "add", "fd42::2/64", "dev", "bf6-s0", "nodad");
            site.run("ip", "link", "set", "bf6-s0", "up");
            cli.run("ip", "link", "set", "br0", "up");
            cli.awaitLinkLocal("br0");
            boot.awaitLinkLocal("bf6-b0");
            site.awaitLinkLocal("bf6-s0");
            assertThat(cli.run("ip", "-4", "addr", "show", "dev", "br0") + boot.run("ip", "-4", "addr", "show", "dev",
                    "bf6-b0") + site.run("ip", "-4", "addr", "show", "dev", "bf6-s0")).as("IPv6 only").isBlank();

            Process dnsmasqProcess = new ProcessBuilder(site.exec(dnsmasq.toString(), "--keep-in-foreground",
                    "--conf-file=/dev/null", "--port=0", "--interface=bf6-s0", "--bind-interfaces", "--log-dhcp",
                    "--dhcp-range=fd42::100,fd42::1ff,64,1h", "--dhcp-leasefile=" + dir.resolve("leases"),
                    "--pid-file=" + dir.resolve("dnsmasq.pid"))).redirectErrorStream(true).start();
            Process bootferry = new ProcessBuilder(boot.exec(JavaMains.command(Dhcp6Process.class, dir.resolve("config").toString(),
                    "bf6-b0", "fd42::1"))).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(bootferry.getInputStream(),
                        StandardCharsets.UTF_8));
                String line = CompletableFuture.supplyAsync(() -> JavaMains.firstLine(out, "listening dhcp6"))
                        .get(30, TimeUnit.SECONDS);
                assertThat(line).startsWith("listening dhcp6 547 4011");
                assertThat(dnsmasqProcess.isAlive()).as("dnsmasq runs").isTrue();

                List<String> answers = new ArrayList<>();
                Process probe = new ProcessBuilder(cli.exec(JavaMains.command(Dhcp6Probe.class, solicit.toString(), "br0", "4000")))
                        .redirectErrorStream(true).start();
                String text = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
                text.lines().filter(l -> l.startsWith("ANSWER ")).forEach(answers::add);

                Dhcp6Message.ClientServer lease = null;
                Dhcp6Message.ClientServer bootAnswer = null;
                for (String a : answers) {
                    Dhcp6Message.ClientServer m = (Dhcp6Message.ClientServer) Dhcp6Codec.decode(
                            HexFormat.of().parseHex(a.split(" ")[2]));
                    if (m.option(Dhcp6Option.IaNa.class).isPresent()) {
                        lease = m;
                    } else {
                        bootAnswer = m;
                    }
                }
                assertThat(lease).as("dnsmasq's ADVERTISE in " + text).isNotNull();
                assertThat(bootAnswer).as("bootferry's ADVERTISE in " + text).isNotNull();
                Dhcp6Option.IaNa ia = lease.option(Dhcp6Option.IaNa.class).orElseThrow();
                assertThat(((Dhcp6Option.IaAddress) ia.options().stream().filter(Dhcp6Option.IaAddress.class::isInstance)
                        .findFirst().orElseThrow()).address().getHostAddress()).startsWith("fd42:0:0:0:0:0:0:1");
                assertThat(bootAnswer.type()).isEqualTo(Dhcp6MessageType.ADVERTISE);
                assertThat(bootAnswer.option(Dhcp6Option.BootfileUrl.class).orElseThrow().url())
                        .isEqualTo("tftp://[fd42::1]/ipxe.efi");
                assertThat(bootAnswer.option(Dhcp6Option.VendorClass.class).orElseThrow().data())
                        .containsExactly(Opaque.ascii("PXEClient"));
                assertThat(bootAnswer.transactionId()).isEqualTo(lease.transactionId());
            } finally {
                bootferry.getOutputStream().close();
                Processes.stop(bootferry);
                Processes.stop(dnsmasqProcess);
            }
        }
    }
}
