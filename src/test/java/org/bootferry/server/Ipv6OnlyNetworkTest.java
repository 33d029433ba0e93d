package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.NetNamespace;
import org.bootferry.testing.ServerProcess;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bootferry with its defaults on a link that has no IPv4 address at all: a server namespace with two
 * unique local addresses and a client namespace, joined by a veth pair. It starts (advertising its
 * IPv6 address), the client fetches the iPXE script and its URLs are the bracketed address the
 * request came to, and TFTP answers from the address a request was sent to, not from the one the
 * kernel's route picks: a request to each of the two, so that one of them is not the route's choice
 * (fd42::2 here: with the wildcard socket alone, the request to fd42::11 was answered from it).
 */
class Ipv6OnlyNetworkTest {

    static final String MAC = "52-54-00-12-34-56";
    static final Pattern URL = Pattern.compile("https?://([^/\\s\"]+)/");

    @TempDir
    Path tmp;

    @Test
    void aMachineOnAnIpv6OnlyLinkGetsBracketedUrlsAndTftpFromTheAddressItAsked() throws Exception {
        Tools.require("curl", "curl");
        Tools.require("python3", "python3-minimal");
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10_000);
        config.file("server.yaml", "httpPort: 8080", "state: ../state", "cache: ../cache");
        config.file("machines/" + MAC + ".yaml", "hostname: node-01", "access: open", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}", "  kernelArgs: console=ttyS0");
        try (NetNamespace server = NetNamespace.create("bft-v6only-srv");
                NetNamespace client = NetNamespace.create("bft-v6only-cli")) {
            server.run("ip", "link", "add", "v6s", "type", "veth", "peer", "name", "v6c", "netns", client.name());
            server.run("ip", "addr", "add", "fd42::11/64", "dev", "v6s", "nodad");
            server.run("ip", "addr", "add", "fd42::2/64", "dev", "v6s", "nodad");
            server.run("ip", "link", "set", "v6s", "up");
            client.run("ip", "addr", "add", "fd42::10/64", "dev", "v6c", "nodad");
            client.run("ip", "link", "set", "v6c", "up");
            assertThat(server.run("ip", "-4", "addr", "show", "dev", "v6s")).isBlank();
            assertThat(client.run("ip", "-4", "addr", "show", "dev", "v6c")).isBlank();

            try (ServerProcess bootferry = ServerProcess.start(server.exec(List.of()), tmp.resolve("serve.log"),
                    List.of("http", "tftp"), "--config", config.dir().toString(), "--no-dhcp", "--tftp-port", "0",
                    "--tftp-root", config.dir().resolve("boot").toString())) {
                assertThat(bootferry.log()).contains("listening http tcp [::]:8080");
                for (String address : List.of("fd42::11", "fd42::2")) {
                    String script = client.run("curl", "-g", "-sS", "--max-time", "30",
                            "http://[" + address + "]:8080/boot.ipxe?mac=" + MAC + "&firmware=efi-x64");
                    Matcher m = URL.matcher(script);
                    int urls = 0;
                    while (m.find()) {
                        assertThat(m.group(1)).as(script).isEqualTo("[" + address + "]:8080");
                        urls++;
                    }
                    assertThat(urls).as(script).isPositive();
                    assertThat(script).contains(" ip=dhcp6");
                }
                int tftp = bootferry.port("tftp");
                for (String address : List.of("fd42::2", "fd42::11")) {
                    // An RRQ for the kernel's per-machine name; the first DATA's source is the answer.
                    String from = client.run("python3", "-c", "import socket\n"
                            + "s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
                            + "s.settimeout(10)\n"
                            + "s.sendto(b'\\x00\\x01vmlinuz\\x00octet\\x00', ('" + address + "', " + tftp + "))\n"
                            + "data, peer = s.recvfrom(2048)\n"
                            + "print(peer[0], data[:4].hex())\n").trim();
                    assertThat(from).as("TFTP's first DATA to an RRQ sent to " + address).isEqualTo(address + " 00030001");
                }
            }
        }
    }
}
