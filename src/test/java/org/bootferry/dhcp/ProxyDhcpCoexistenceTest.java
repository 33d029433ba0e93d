package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bootferry's ProxyDHCP and dnsmasq serving addresses on the same host and the same port 67: a
 * real broadcast DISCOVER from a client namespace gets both offers, the address from dnsmasq and the
 * boot file from bootferry.
 *
 * <pre>
 *  bfd-cli ns                    bfd-srv ns (the "host")
 *  DhcpProbe :68 -- bfd-c0 ==== bfd-s0 10.167.0.1 -- dnsmasq :67 (addresses, --bind-interfaces)
 *                                                 \-- bootferry :67 and :4011 (ProxyDHCP)
 * </pre>
 */
class ProxyDhcpCoexistenceTest {

    private static final String SERVER = "10.167.0.1";

    @TempDir
    Path dir;

    @Test
    void dnsmasqAndBootferryBothAnswerOnPort67OfOneHost() throws Exception {
        Tools.requireRoot();
        Path dnsmasq = Tools.require("dnsmasq", "dnsmasq-base");
        Tools.require("ip", "iproute2");
        BootConfig.planner(dir.resolve("config"), SERVER, MacAddress.parse("52:54:00:12:34:56"));
        Path discover = dir.resolve("discover.bin");
        Files.write(discover, Captures.bytes(Captures.EDK2_X64_DISCOVER));

        try (Namespaces net = new Namespaces()) {
            String srv = net.create("bfd-srv");
            String cli = net.create("bfd-cli");
            Namespaces.check("ip", "link", "add", "bfd-s0", "netns", srv, "type", "veth", "peer", "bfd-c0", "netns", cli);
            net.exec(srv, "ip", "addr", "add", SERVER + "/24", "dev", "bfd-s0");
            net.exec(srv, "ip", "link", "set", "bfd-s0", "up");
            net.exec(cli, "ip", "link", "set", "bfd-c0", "up");
            // The client has no address, as firmware has none: its broadcast leaves by this route.
            net.exec(cli, "ip", "route", "add", "default", "dev", "bfd-c0");

            Process site = net.start(srv, dnsmasq.toString(), "--keep-in-foreground", "--conf-file=/dev/null",
                    "--port=0", "--interface=bfd-s0", "--bind-interfaces", "--log-dhcp", "--no-ping",
                    "--dhcp-range=10.167.0.100,10.167.0.150,255.255.255.0,1h",
                    "--dhcp-leasefile=" + dir.resolve("leases"), "--pid-file=" + dir.resolve("dnsmasq.pid"));
            Process bootferry = net.start(srv, Namespaces.java(ProxyDhcpProcess.class,
                    dir.resolve("config").toString(), "0.0.0.0", "67", "4011"));
            ProcessLines.await(bootferry, "listening proxydhcp", 30);
            assertThat(site.isAlive()).as("dnsmasq still runs next to bootferry").isTrue();

            Process probe = net.start(cli, Namespaces.java(DhcpProbe.class, discover.toString(), "3000"));
            List<DhcpMessage> answers = new ArrayList<>();
            List<String> sources = new ArrayList<>();
            for (String line : ProcessLines.collect(probe).get(30, TimeUnit.SECONDS)) {
                if (line.startsWith("ANSWER ")) {
                    String[] f = line.split(" ");
                    sources.add(f[1]);
                    answers.add(DhcpCodec.decode(HexFormat.of().parseHex(f[2])));
                }
            }

            assertThat(sources).containsOnly(SERVER + ":67");
            DhcpMessage lease = answers.stream().filter(m -> !m.yiaddr().equals(DhcpMessage.ZERO)).findFirst()
                    .orElseThrow(() -> new AssertionError("no offer from dnsmasq: " + answers));
            DhcpMessage boot = answers.stream().filter(m -> m.yiaddr().equals(DhcpMessage.ZERO)).findFirst()
                    .orElseThrow(() -> new AssertionError("no offer from bootferry: " + answers));
            assertThat(lease.yiaddr().getHostAddress()).startsWith("10.167.0.1");
            assertThat(lease.file()).isEmpty();
            assertThat(boot.file()).isEqualTo("ipxe.efi");
            assertThat(boot.siaddr().getHostAddress()).isEqualTo(SERVER);
            assertThat(boot.option(DhcpOptionCode.VENDOR_CLASS_IDENTIFIER).orElseThrow().text()).isEqualTo("PXEClient");
        }
    }
}
