package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.boot.ConfigCheck;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.ConfigLoader;
import org.bootferry.dhcp6.BootOnly6;
import org.bootferry.dhcp6.Dhcp6Codec;
import org.bootferry.dhcp6.Dhcp6Message;
import org.bootferry.dhcp6.Dhcp6MessageType;
import org.bootferry.dhcp6.Dhcp6Option;
import org.bootferry.dhcp6.Duid;
import org.bootferry.dhcp6.Opaque;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * server.yaml's {@code dhcp6:} through BootServer: the listener's lines, our DUID kept under the
 * state directory, and a machine named only by its {@code duid:} answered.
 */
class Dhcp6ModeTest {

    private static final Pattern LISTENING_DHCP6 = Pattern.compile("listening dhcp6 udp \\[(\\S+)]:(\\d+)");
    /** A client DUID with no MAC in it (DUID-UUID), as EDK2 and iPXE send. */
    private static final String CLIENT_DUID = "0004" + "00112233445566778899aabbccddeeff";

    @TempDir
    Path tmp;

    @Test
    void bootOnlyModeListensAndAnswersAMachineItsDuidNames() throws Exception {
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.file("server.yaml", "bind: 127.0.0.1", "httpPort: 0", "tftpPort: 0", "dhcp: false",
                "advertise6: '::1'", "dhcp6: {mode: boot-only, port: 0, pxePort: 0}",
                "state: ../state", "cache: ../cache", "tftpRoot: ../tftproot");
        config.blob("boot/vmlinuz", 100);
        config.file("machines/52-54-00-12-34-56.yaml", "duid: " + CLIENT_DUID, "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}");
        Files.createDirectories(tmp.resolve("tftproot"));
        ConfigLoader loader = new ConfigLoader(config.dir(), Map.of());
        ConfigHolder holder = new ConfigHolder(loader, loader.load().requireValid(), ConfigCheck::check);
        BootServer server = new BootServer(holder);
        List<String> lines = new CopyOnWriteArrayList<>();
        try {
            server.start(lines::add);
            assertThat(server.notReady()).isEmpty();
            Matcher m = lines.stream().map(LISTENING_DHCP6::matcher).filter(Matcher::matches).findFirst().orElseThrow();
            assertThat(m.group(1)).isEqualTo("::1");
            assertThat(lines).anyMatch(l -> l.startsWith("listening pxe6 udp [::1]:"));
            String kept = Files.readString(tmp.resolve("state").resolve(Dhcp6Mode.DUID_FILE)).strip();
            assertThat(kept).startsWith("0004").hasSize(36);

            Dhcp6Message solicit = new Dhcp6Message.ClientServer(Dhcp6MessageType.SOLICIT, 0x123456, List.of(
                    new Dhcp6Option.ClientId(new Duid.Uuid(Opaque.hex(CLIENT_DUID.substring(4)))),
                    new Dhcp6Option.ClientArchType(List.of(7)),
                    new Dhcp6Option.VendorClass(343, List.of(Opaque.ascii("PXEClient:Arch:00007:UNDI:003000")))));
            byte[] bytes = Dhcp6Codec.encode(solicit);
            try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
                client.setSoTimeout(5000);
                client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName("::1"),
                        Integer.parseInt(m.group(2))));
                DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
                client.receive(answer);
                Dhcp6Message.ClientServer advertise = (Dhcp6Message.ClientServer) Dhcp6Codec.decode(
                        Arrays.copyOf(answer.getData(), answer.getLength()));
                assertThat(advertise.type()).isEqualTo(Dhcp6MessageType.ADVERTISE);
                assertThat(advertise.option(Dhcp6Option.BootfileUrl.class).orElseThrow().url())
                        .isEqualTo("tftp://[::1]/ipxe.efi");
                assertThat(BootOnly6.hex(advertise.option(Dhcp6Option.ServerId.class).orElseThrow().duid()))
                        .isEqualTo(kept);
            }
        } finally {
            server.close();
        }
    }

    @Test
    void ourDuidIsMadeOnceAndKeptAndABrokenFileIsNamed() throws Exception {
        Path file = tmp.resolve("state").resolve(Dhcp6Mode.DUID_FILE);
        Duid first = Dhcp6Mode.serverId(file);
        assertThat(Dhcp6Mode.serverId(file)).isEqualTo(first);
        Files.writeString(file, "0003zz\n");
        assertThatThrownBy(() -> Dhcp6Mode.serverId(file)).hasMessageContaining("does not hold a DUID-UUID in hex");
    }
}
