package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.bootferry.boot.BootPlanner;
import org.bootferry.boot.BootUrls;
import org.bootferry.boot.LoaderConfig;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pxelinux and GRUB configs and the kernel and initrds they name, fetched over TFTP by real clients. */
class BootPlanFilesTest {

    static final MacAddress NODE1 = MacAddress.parse("52:54:00:12:34:56");
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    Path kernel;
    Path extraInitrd;
    BootPlanner planner;
    TftpFixture tftp;

    @BeforeEach
    void serverWithOneMachine() throws Exception {
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        kernel = config.blob("boot/vmlinuz", 3_000_000);
        config.blob("boot/initrd.img", 100_000);
        extraInitrd = config.blob("boot/extra.img", 1468 * 20);
        config.file("server.yaml", "advertise: 10.0.0.1", "httpPort: 8080");
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01",
                "kernelBoot:",
                "  files: {kernel: boot/vmlinuz, initrd: [boot/initrd.img, boot/extra.img]}",
                "  kernelArgs: console=ttyS0 inst.ks={{kickstartUrl}}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        planner = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));
        Path root = Files.createDirectories(tmp.resolve("tftproot"));
        tftp = new TftpFixture(root, TftpFixture.DEFAULTS, InetAddress.getLoopbackAddress(),
                TftpFiles.chain(new BootPlanFiles(planner), new RootDirectory(root)));
    }

    @AfterEach
    void stop() {
        tftp.close();
    }

    @Test
    void grubGetsItsPerMacConfigForTheCapturedRequest() throws Exception {
        byte[] expected = LoaderConfig.grub(List.of(planner.plan(Machine.of(NODE1, Firmware.EFI_X64)).orElseThrow(),
                planner.plan(Machine.of(NODE1, Firmware.EFI_ARM64)).orElseThrow()), BootUrls.Protocol.TFTP)
                .getBytes(StandardCharsets.UTF_8);
        try (RawTftpClient grub = new RawTftpClient(); InputStream rrq = getClass().getResourceAsStream("/captures/tftp/grub-arm64-rrq-grub-cfg.bin")) {
            grub.send(rrq.readAllBytes(), tftp.address);
            RawTftpClient.Received oack = grub.expect(Duration.ofSeconds(3));
            assertThat(oack.packet()).isEqualTo(new TftpPacket.OptionAck(Map.of("blksize", "1024", "tsize", Integer.toString(expected.length))));
            grub.send(new TftpPacket.Ack(0), oack.from());
            assertThat(grub.receiveFile(1024, 1, 0, null)).isEqualTo(expected);
        }
    }

    @Test
    void pxelinuxConfigComesFromThePlanInWhateverDirectoryPxelinuxAsks() throws Exception {
        Tools.require("tftp", "tftp-hpa");
        String expected = LoaderConfig.pxelinux(planner.plan(Machine.of(NODE1, Firmware.BIOS)).orElseThrow(),
                BootUrls.Protocol.TFTP);
        for (String name : List.of("pxelinux.cfg/01-52-54-00-12-34-56", "debian-installer/amd64/pxelinux.cfg/01-52-54-00-12-34-56")) {
            Path got = tmp.resolve("pxelinux.cfg");
            TftpFixture.Run run = TftpFixture.run(LIMIT, List.of("tftp", "-m", "binary", tftp.host(), Integer.toString(tftp.port()),
                    "-c", "get", name, got.toString()));
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(Files.readString(got)).as(name).isEqualTo(expected).contains("KERNEL ::/52-54-00-12-34-56/kernel");
        }
    }

    /** A machine with no kernel of its own boots its loader's menu: its per-MAC name is the tftproot's, as is default. */
    @Test
    void aMachineWithoutAKernelGetsTheTftprootsConfigsAsTheyAre() throws Exception {
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: stock", "loaders: {bios: d-i/pxelinux.0}");
        config.file("machines/52-54-00-12-34-58.yaml", "loaders: {bios: d-i/pxelinux.0}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        BootPlanner stock = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));
        Path root = tmp.resolve("tftproot");
        Files.createDirectories(root.resolve("d-i/pxelinux.cfg"));
        Files.writeString(root.resolve("d-i/pxelinux.cfg/default"), "DEFAULT stock-menu\n");
        Files.writeString(root.resolve("d-i/pxelinux.cfg/01-52-54-00-12-34-58"), "DEFAULT admins-own\n");
        TftpFiles files = TftpFiles.chain(new BootPlanFiles(stock), new RootDirectory(root));
        assertThat(stock.plan(Machine.of(MacAddress.parse("52:54:00:12:34:57"), Firmware.BIOS)).orElseThrow().bootFile())
                .isEqualTo("d-i/pxelinux.0");
        try (TftpFixture server = new TftpFixture(root, TftpFixture.DEFAULTS, InetAddress.getLoopbackAddress(), files);
                RawTftpClient client = new RawTftpClient()) {
            client.request("d-i/pxelinux.cfg/01-52-54-00-12-34-57", Map.of(), server.address);
            TftpPacket answer = client.expect(Duration.ofSeconds(3)).packet();
            assertThat(answer).as("no rendered config and no file: pxelinux goes on to its next name")
                    .isInstanceOf(TftpPacket.Error.class);
            assertThat(((TftpPacket.Error) answer).error()).isEqualTo(TftpError.FILE_NOT_FOUND);
            assertThat(fetch(client, server, "d-i/pxelinux.cfg/default")).isEqualTo("DEFAULT stock-menu\n");
            assertThat(fetch(client, server, "d-i/pxelinux.cfg/01-52-54-00-12-34-58")).isEqualTo("DEFAULT admins-own\n");
        }
    }

    private static String fetch(RawTftpClient client, TftpFixture server, String name) throws Exception {
        client.request(name, Map.of(), server.address);
        return new String(client.receiveFile(512, 1, 0, null), StandardCharsets.UTF_8);
    }

    @Test
    void kernelAndInitrdsAreTheMachinesFiles() throws Exception {
        Tools.require("curl", "curl");
        Path got = tmp.resolve("kernel");
        // The name exactly as the configs write it, leading slash included.
        TftpFixture.Run run = TftpFixture.run(LIMIT, List.of("curl", "-sS", "--tftp-blksize", "1468", "-o", got.toString(),
                "tftp://" + tftp.host() + ":" + tftp.port() + "//52-54-00-12-34-56/kernel"));
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(TftpFixture.sha256(got)).isEqualTo(TftpFixture.sha256(kernel));

        Tools.require("atftp", "atftp");
        Path initrd = tmp.resolve("initrd1");
        run = TftpFixture.run(LIMIT, List.of("atftp", "--option", "blksize 1468", "--option", "windowsize 8", "-g",
                "-r", "52-54-00-12-34-56/efi-arm64/initrd/1", "-l", initrd.toString(), tftp.host(), Integer.toString(tftp.port())));
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(TftpFixture.sha256(initrd)).isEqualTo(TftpFixture.sha256(extraInitrd));
    }

    @Test
    void unknownMachinesAndMissingInitrdsAreNotFound() throws Exception {
        try (RawTftpClient client = new RawTftpClient()) {
            for (String name : List.of("pxelinux.cfg/01-aa-bb-cc-dd-ee-ff", "52-54-00-12-34-56/initrd/2", "aa-bb-cc-dd-ee-ff/kernel")) {
                client.request(name, Map.of(), tftp.address);
                TftpPacket answer = client.expect(Duration.ofSeconds(3)).packet();
                assertThat(answer).as(name).isInstanceOf(TftpPacket.Error.class);
                assertThat(((TftpPacket.Error) answer).error()).as(name).isEqualTo(TftpError.FILE_NOT_FOUND);
            }
        }
    }
}
