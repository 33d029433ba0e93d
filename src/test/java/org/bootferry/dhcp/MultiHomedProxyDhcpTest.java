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
 * A host with two boot networks: bootferry bound to 0.0.0.0 with no advertise address answers each
 * client from the interface its request came in on, naming that interface's address as
 * next-server, server identifier and in the boot URL. The same machine (one MAC) on either network
 * gets the address of its own network: for its broadcast DISCOVER on port 67 and for its unicast
 * boot-server REQUEST on port 4011 alike.
 *
 * <pre>
 *  PFX-c1 ns                         PFX-srv ns (the host)                         PFX-c2 ns
 *  DhcpProbe -- PFX-c1 == PFX-s1 -- PFXbr1 10.215.1.1   PFXbr2 10.215.2.1 -- PFX-s2 == PFX-c2 -- DhcpProbe
 *                                     \___ bootferry :67, :4011, bound to 0.0.0.0 ___/
 * </pre>
 * Each test has its own prefix PFX for its namespaces and links.
 */
class MultiHomedProxyDhcpTest {

    private static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56"); // the captured messages'

    @TempDir
    Path dir;

    @Test
    void eachNetworksClientIsAnsweredWithTheAddressOfItsOwnBridge() throws Exception {
        Path discover = capture(Captures.OVMF_HTTPCLIENT_DISCOVER);
        try (Namespaces net = new Namespaces()) {
            List<String> clients = startTwoNetworks(net, "bfh");
            for (int n = 1; n <= 2; n++) {
                String own = "10.215." + n + ".1";
                List<Answer> answers = probe(net, clients.get(n - 1), discover.toString(), "2000");

                assertThat(answers).as("answers on network %d", n).extracting(Answer::source).containsExactly(own + ":67");
                DhcpMessage offer = answers.get(0).message();
                assertThat(offer.siaddr().getHostAddress()).as("next-server on network %d", n).isEqualTo(own);
                assertThat(offer.option(DhcpOptionCode.SERVER_IDENTIFIER).orElseThrow().value())
                        .isEqualTo(offer.siaddr().getAddress());
                assertThat(offer.option(DhcpOptionCode.BOOTFILE_NAME).orElseThrow().text())
                        .as("boot URL on network %d", n).isEqualTo("http://" + own + ":8080/boot/" + offer.mac().dashed() + "/tftp/ipxe.efi");
            }
        }
    }

    /**
     * PXE 2.1 §2.2.6: after the offers, a client asks the boot server on port 4011, unicast to the
     * address the offer named. EDK2 sends from port 4011 and gets the loader by name; the iPXE ROM
     * sends from port 68 and, being iPXE already, gets its script URL. Each is answered from its own
     * network's address, at its source port.
     */
    @Test
    void port4011RequestsOnEachNetworkAreAnsweredFromThatNetworksAddress() throws Exception {
        Path edk2 = capture(Captures.EDK2_X64_REQUEST_4011);
        Path ipxe = capture(Captures.SEABIOS_IPXE_REQUEST_4011);
        try (Namespaces net = new Namespaces()) {
            List<String> clients = startTwoNetworks(net, "h4am");
            for (int n = 1; n <= 2; n++) {
                String own = "10.215." + n + ".1";
                String client = clients.get(n - 1);
                // By now the firmware has its lease from the site's DHCP server.
                net.exec(client, "ip", "addr", "add", "10.215." + n + ".61/24", "dev", client);

                List<Answer> toEdk2 = probe(net, client, edk2.toString(), "2000", own, "4011", "4011");
                assertThat(toEdk2).as("answers to EDK2 on network %d", n).extracting(Answer::source)
                        .containsExactly(own + ":4011");
                DhcpMessage ack = toEdk2.get(0).message();
                assertThat(ack.messageType()).contains(DhcpMessageType.ACK);
                assertThat(ack.siaddr().getHostAddress()).as("next-server on network %d", n).isEqualTo(own);
                assertThat(ack.option(DhcpOptionCode.SERVER_IDENTIFIER).orElseThrow().value())
                        .isEqualTo(ack.siaddr().getAddress());
                assertThat(ack.file()).isEqualTo("ipxe.efi");

                List<Answer> toIpxe = probe(net, client, ipxe.toString(), "2000", own, "4011", "68");
                assertThat(toIpxe).as("answers to iPXE on network %d", n).extracting(Answer::source)
                        .containsExactly(own + ":4011");
                DhcpMessage script = toIpxe.get(0).message();
                assertThat(script.messageType()).contains(DhcpMessageType.ACK);
                assertThat(script.siaddr().getHostAddress()).isEqualTo(own);
                assertThat(script.option(DhcpOptionCode.SERVER_IDENTIFIER).orElseThrow().value())
                        .isEqualTo(script.siaddr().getAddress());
                assertThat(script.file()).as("script URL on network %d", n)
                        .startsWith("http://" + own + ":8080/boot/").endsWith("/boot.ipxe");
            }
        }
    }

    /** One reply the probe saw: who sent it ({@code ip:port}) and what. */
    private record Answer(String source, DhcpMessage message) {
    }

    private Path capture(String name) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, Captures.bytes(name));
        return file;
    }

    /** The host with both networks and bootferry serving them; returns the two client namespaces. */
    private List<String> startTwoNetworks(Namespaces net, String prefix) throws Exception {
        Tools.requireRoot();
        Tools.require("ip", "iproute2");
        BootConfig.plannerWithoutAdvertise(dir.resolve("config"), MAC);
        String srv = net.create(prefix + "-srv");
        List<String> clients = List.of(network(net, prefix, srv, 1), network(net, prefix, srv, 2));
        Process bootferry = net.start(srv, Namespaces.java(ProxyDhcpProcess.class,
                dir.resolve("config").toString(), "0.0.0.0", "67", "4011"));
        ProcessLines.await(bootferry, "listening proxydhcp", 30);
        return clients;
    }

    /** Runs {@link DhcpProbe} in {@code ns} with {@code args} and decodes the answers it saw. */
    private static List<Answer> probe(Namespaces net, String ns, String... args) throws Exception {
        Process probe = net.start(ns, Namespaces.java(DhcpProbe.class, args));
        List<Answer> answers = new ArrayList<>();
        for (String line : ProcessLines.collect(probe).get(30, TimeUnit.SECONDS)) {
            if (line.startsWith("ANSWER ")) {
                String[] f = line.split(" ");
                answers.add(new Answer(f[1], DhcpCodec.decode(HexFormat.of().parseHex(f[2]))));
            }
        }
        return answers;
    }

    /** Boot network {@code n}: a bridge with address 10.215.n.1 in the host, a client namespace on it. */
    private static String network(Namespaces net, String prefix, String srv, int n) {
        String cli = net.create(prefix + "-c" + n);
        String bridge = prefix + "br" + n;
        String host = prefix + "-s" + n;
        net.exec(srv, "ip", "link", "add", bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        net.exec(srv, "ip", "addr", "add", "10.215." + n + ".1/24", "dev", bridge);
        net.exec(srv, "ip", "link", "set", bridge, "up");
        // The client's end of the veth has the namespace's name.
        Namespaces.check("ip", "link", "add", host, "netns", srv, "type", "veth", "peer", cli, "netns", cli);
        net.exec(srv, "ip", "link", "set", host, "master", bridge);
        net.exec(srv, "ip", "link", "set", host, "up");
        net.exec(cli, "ip", "link", "set", cli, "up");
        // The client has no address, as firmware has none: its broadcast leaves by this route.
        net.exec(cli, "ip", "route", "add", "default", "dev", cli);
        return cli;
    }
}
