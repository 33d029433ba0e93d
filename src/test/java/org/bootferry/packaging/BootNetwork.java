package org.bootferry.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.bootferry.dhcp.DhcpCodec;
import org.bootferry.dhcp.DhcpMessage;
import org.bootferry.dhcp.DhcpProbe;
import org.bootferry.dhcp.MalformedDhcpException;
import org.bootferry.testing.NetNamespace;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;

/**
 * The boot network an installed bootferry (the systemd unit, the container) is tried on: a network
 * namespace of the test's own for the server, linked by a veth pair to a second one for a PXE
 * client (nothing of either reaches the host's network). The server's end holds its address: an
 * interface that is up and not loopback, as ProxyDHCP and the advertised address need. The clients
 * a machine's boot uses run in them: firmware's DHCPDISCOVER from the client's side ({@link
 * DhcpProbe}), curl for HTTP and tftp-hpa for TFTP from the server's. One bootOnce machine proves
 * that boot-once state outlives the server.
 */
final class BootNetwork implements AutoCloseable {

    static final String SERVER = "192.0.2.1";
    static final String MAC = "52:54:00:12:34:56";
    /** The machine file's name under machines/. */
    static final String MACHINE_FILE = "52-54-00-12-34-56.yaml";

    private final NetNamespace ns;
    private final NetNamespace client;

    private BootNetwork(NetNamespace ns, NetNamespace client) {
        this.ns = ns;
        this.client = client;
    }

    /** Namespace {@code name} for the server (its link: v0) and {@code name}-c for the client (v1). */
    static BootNetwork create(String name) {
        Tools.require("curl", "curl");
        Tools.require("tftp", "tftp-hpa");
        NetNamespace ns = NetNamespace.create(name);
        NetNamespace client = NetNamespace.create(name + "-c");
        ns.run("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", client.name());
        ns.run("ip", "addr", "add", SERVER + "/24", "dev", "v0");
        ns.run("ip", "link", "set", "v0", "up");
        client.run("ip", "link", "set", "v1", "up");
        // The client has no address, as firmware has none: its broadcast leaves by this route.
        client.run("ip", "route", "add", "default", "dev", "v1");
        return new BootNetwork(ns, client);
    }

    NetNamespace namespace() {
        return ns;
    }

    /**
     * Writes machine {@link #MAC} into {@code config}: a bootOnce kernel boot of two small files
     * (boot/vmlinuz, boot/initrd.img), so its script says "kernel" until it is done.
     */
    static void writeBootOnceMachine(Path config) throws IOException {
        Files.createDirectories(config.resolve("boot"));
        for (String file : List.of("boot/vmlinuz", "boot/initrd.img")) {
            Files.writeString(config.resolve(file), file + " of " + MAC + "\n");
        }
        Files.writeString(config.resolve("machines").resolve(MACHINE_FILE), """
                hostname: node-01
                access: open
                bootOnce: true
                kernelBoot:
                  files: {kernel: boot/vmlinuz, initrd: boot/initrd.img}
                """);
    }

    /** curl in the namespace; fails the test if curl fails. */
    String curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
        command.addAll(List.of(args));
        return Processes.check(ns.exec(command));
    }

    String healthz() {
        return curl("http://" + SERVER + ":8080/healthz").trim();
    }

    /** The iPXE script machine {@link #MAC} gets. */
    String script() {
        return curl("http://" + SERVER + ":8080/boot.ipxe?mac=" + MAC);
    }

    /** What an install's last step does: POST /done/MAC. */
    String done() {
        return curl("-X", "POST", "http://" + SERVER + ":8080/done/" + MAC);
    }

    void assertScriptBootsTheKernel() {
        assertThat(script()).contains("kernel http://" + SERVER + ":8080/boot/52-54-00-12-34-56/kernel");
    }

    void assertScriptBootsTheDisk() {
        assertThat(script()).as("boot-once state outlived the server").contains("sanboot").doesNotContain("kernel ");
    }

    /**
     * What PXE firmware hears: the DHCPDISCOVER EDK2 broadcast when x86-64 UEFI machine {@link #MAC}
     * booted (src/test/resources/captures/dhcp), sent from the client's side, and every answer in
     * the next 3 s, decoded.
     */
    List<DhcpMessage> dhcpAnswers(Path dir) throws IOException, MalformedDhcpException {
        Path discover = dir.resolve("edk2-x64-discover.bin");
        try (InputStream in = BootNetwork.class.getResourceAsStream("/captures/dhcp/edk2-x64-discover.bin")) {
            Files.write(discover, in.readAllBytes());
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String out = Processes.check(client.exec(java, "-cp", System.getProperty("java.class.path"),
                DhcpProbe.class.getName(), discover.toString(), "3000"));
        List<DhcpMessage> answers = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("ANSWER " + SERVER + ":67 ")) {
                answers.add(DhcpCodec.decode(HexFormat.of().parseHex(line.substring(line.lastIndexOf(' ') + 1))));
            }
        }
        return answers;
    }

    /** Fetches {@code file} over TFTP (tftp-hpa, octet mode) into {@code into}; its bytes. */
    byte[] tftpGet(String file, Path into) throws IOException {
        Processes.check(ns.exec("tftp", "-m", "octet", SERVER, "-c", "get", file, into.toString()));
        return Files.readAllBytes(into);
    }

    @Override
    public void close() {
        ns.close();
        client.close();
    }
}
