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
        tftp = new TftpFixture(root, TftpSettings.defaults(), InetAddress.getLoopbackAddress(),
                TftpFiles.chain(new BootPlanFiles(planner), new RootDirectory(root)));
    }

    @AfterEach
    void stop() {
        tftp.close();
    }

    @Test
    void grubGetsItsPerMacConfigForTheCapturedRequest() throws Exception {
        byte[] expected = LoaderConfig.grub(List.of(planner.plan(Machine.of(NODE1, Firmware.EFI_X64)).orElseThrow(),
                planner.plan(Machine.of(NODE1, Firmware.EFI_ARM64)).orElseThrow())).getBytes(StandardCharsets.UTF_8);
        try (RawTftpClient grub = new RawTftpClient(); InputStream rrq = getClass().getResourceAsStream("/captures/tftp/grub-arm64-rrq-grub-cfg.bin")) {
            grub.send(rrq.readAllBytes(), tftp.address);
            RawTftpClient.Received oack = grub.expect(Duration.ofSeconds(3));
            assertThat(oack.packet()).isEqualTo(new TftpPacket.OptionAck(Map.of("blksize", "1024", "tsize", Integer.toString(expected.length))));
            grub.send(new TftpPacket.Ack(0), oack.from());
            assertThat(grub.receiveFile(1024, 1, 0, null)).isEqualTo(expected);
        }
    }

    @Test
    void pxelinuxConfigComesFromThePlan() throws Exception {
        Tools.require("tftp", "tftp-hpa");
        Path got = tmp.resolve("pxelinux.cfg");
        TftpFixture.Run run = TftpFixture.run(LIMIT, List.of("tftp", "-m", "binary", tftp.host(), Integer.toString(tftp.port()),
                "-c", "get", "pxelinux.cfg/01-52-54-00-12-34-56", got.toString()));
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(Files.readString(got)).isEqualTo(LoaderConfig.pxelinux(planner.plan(Machine.of(NODE1, Firmware.BIOS)).orElseThrow()))
                .contains("KERNEL /52-54-00-12-34-56/kernel");
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
