package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bootferry.config.MacAddress;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host with two boot networks: bootferry bound to 0.0.0.0 with no advertise address answers each
 * client from the interface its broadcast came in on, naming that interface's address as
 * next-server, server identifier and in the boot URL. The same machine (one MAC) on either network
 * gets the address of its own network.
 *
 * <pre>
 *  bfh-c1 ns                          bfh-srv ns (the host)                          bfh-c2 ns
 *  DhcpProbe :68 -- bfh-c1 == bfh-s1 -- bfhbr1 10.215.1.1   bfhbr2 10.215.2.1 -- bfh-s2 == bfh-c2 -- DhcpProbe :68
 *                                         \___ bootferry :67, :4011, bound to 0.0.0.0 ___/
 * </pre>
 */
class MultiHomedProxyDhcpTest {

    private static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56"); // the captured DISCOVER's

    @TempDir
    Path dir;

    @Test
    void eachNetworksClientIsAnsweredWithTheAddressOfItsOwnBridge() throws Exception {
        Tools.requireRoot();
        Tools.require("ip", "iproute2");
        BootConfig.plannerWithoutAdvertise(dir.resolve("config"), MAC);
        Path discover = dir.resolve("discover.bin");
        Files.write(discover, Captures.bytes(Captures.OVMF_HTTPCLIENT_DISCOVER));

        try (Namespaces net = new Namespaces()) {
            String srv = net.create("bfh-srv");
            List<String> clients = List.of(network(net, srv, 1), network(net, srv, 2));
            Process bootferry = net.start(srv, Namespaces.java(ProxyDhcpProcess.class,
                    dir.resolve("config").toString(), "0.0.0.0", "67", "4011"));
            ProcessLines.await(bootferry, "listening proxydhcp", 30);

            for (int n = 1; n <= 2; n++) {
                String own = "10.215." + n + ".1";
                Process probe = net.start(clients.get(n - 1), Namespaces.java(DhcpProbe.class, discover.toString(), "2000"));
                List<String> sources = new ArrayList<>();
                List<DhcpMessage> offers = new ArrayList<>();
                for (String line : ProcessLines.collect(probe).get(30, TimeUnit.SECONDS)) {
                    if (line.startsWith("ANSWER ")) {
                        String[] f = line.split(" ");
                        sources.add(f[1]);
                        offers.add(DhcpCodec.decode(HexFormat.of().parseHex(f[2])));
                    }
                }

                assertThat(sources).as("answers on network %d", n).containsExactly(own + ":67");
                DhcpMessage offer = offers.get(0);
                assertThat(offer.siaddr().getHostAddress()).as("next-server on network %d", n).isEqualTo(own);
                assertThat(offer.option(DhcpOptionCode.SERVER_IDENTIFIER).orElseThrow().value())
                        .isEqualTo(offer.siaddr().getAddress());
                assertThat(offer.option(DhcpOptionCode.BOOTFILE_NAME).orElseThrow().text())
                        .as("boot URL on network %d", n).isEqualTo("http://" + own + ":8080/tftp/ipxe.efi");
            }
        }
    }

    /** Boot network {@code n}: a bridge with address 10.215.n.1 in the host, a client namespace on it. */
    private static String network(Namespaces net, String srv, int n) {
        String cli = net.create("bfh-c" + n);
        String bridge = "bfhbr" + n;
        net.exec(srv, "ip", "link", "add", bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        net.exec(srv, "ip", "addr", "add", "10.215." + n + ".1/24", "dev", bridge);
        net.exec(srv, "ip", "link", "set", bridge, "up");
        Namespaces.check("ip", "link", "add", "bfh-s" + n, "netns", srv, "type", "veth", "peer", "bfh-c" + n, "netns", cli);
        net.exec(srv, "ip", "link", "set", "bfh-s" + n, "master", bridge);
        net.exec(srv, "ip", "link", "set", "bfh-s" + n, "up");
        net.exec(cli, "ip", "link", "set", "bfh-c" + n, "up");
        // The client has no address, as firmware has none: its broadcast leaves by this route.
        net.exec(cli, "ip", "route", "add", "default", "dev", "bfh-c" + n);
        return cli;
    }
}
