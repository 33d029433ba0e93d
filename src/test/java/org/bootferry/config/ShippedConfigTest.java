package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bootferry.boot.BootPlanner;
import org.bootferry.boot.ConfigCheck;
import org.bootferry.image.ImageResolver;
import org.bootferry.image.ImageSettings;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config/ directory the project ships: valid as it is, and each example profile renders. */
class ShippedConfigTest {

    static final Path SHIPPED = Path.of("config");

    @TempDir
    Path tmp;

    @Test
    void theEmbeddedDefaultIsValid() {
        ConfigSnapshot snapshot = ConfigLoader.load(SHIPPED);
        assertThat(snapshot.errors()).isEmpty();
        assertThat(ConfigCheck.check(snapshot)).isEmpty();
        assertThat(snapshot.profiles()).containsOnlyKeys("fedora-install", "debian-install", "ubuntu-autoinstall");
    }

    private ConfigDir copyOfShipped() throws IOException {
        return ConfigDir.copyOf(SHIPPED, tmp.resolve("config"));
    }

    @Test
    void eachProfileRendersItsInstallFilesForAMachine() throws Exception {
        ConfigDir config = copyOfShipped();
        Files.copy(SHIPPED.resolve("examples/52-54-00-12-34-56.yaml"), config.dir().resolve("machines/52-54-00-12-34-56.yaml"));
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: deb-01", "profile: debian-install");
        config.file("machines/52-54-00-12-34-58.yaml", "hostname: ubu-01", "profile: ubuntu-autoinstall");
        config.file("server.yaml", "advertise: 192.0.2.10");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).isEmpty();
        assertThat(ConfigCheck.check(snapshot)).isEmpty();
        // The profiles take kernels from images: planning names them, it never pulls.
        BootPlanner planner = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot).withImages(
                new ImageResolver(ImageSettings.defaults(tmp.resolve("cache"))), new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));

        Machine fedora = Machine.of(MacAddress.parse("52:54:00:12:34:56"), Firmware.EFI_X64);
        assertThat(planner.plan(fedora).orElseThrow().cmdline())
                .endsWith("inst.ks=http://192.0.2.10:8080/ks/52-54-00-12-34-56/CAPABILITY console=ttyS0");
        assertThat(planner.kickstart(fedora).orElseThrow())
                .contains("network --bootproto=dhcp --hostname=node-01", "timezone Europe/Berlin --utc",
                        "curl -fsS -X POST http://192.0.2.10:8080/done/52-54-00-12-34-56/CAPABILITY");

        Machine debian = Machine.of(MacAddress.parse("52:54:00:12:34:57"), Firmware.BIOS);
        assertThat(planner.plan(debian).orElseThrow().cmdline())
                .contains("url=http://192.0.2.10:8080/files/52-54-00-12-34-57/CAPABILITY/preseed.cfg");
        assertThat(planner.installFile(debian, "preseed.cfg").orElseThrow())
                .contains("d-i netcfg/get_hostname string deb-01", "d-i mirror/http/hostname string deb.debian.org",
                        "--post-data= http://192.0.2.10:8080/done/52-54-00-12-34-57/CAPABILITY");

        Machine ubuntu = Machine.of(MacAddress.parse("52:54:00:12:34:58"), Firmware.EFI_X64);
        assertThat(planner.plan(ubuntu).orElseThrow().cmdline())
                .contains("ds=nocloud-net;s=http://192.0.2.10:8080/files/52-54-00-12-34-58/CAPABILITY/");
        assertThat(planner.installFile(ubuntu, "user-data").orElseThrow()).startsWith("#cloud-config")
                .contains("    hostname: ubu-01", "curl -fsS -X POST http://192.0.2.10:8080/done/52-54-00-12-34-58/CAPABILITY");
        assertThat(planner.installFile(ubuntu, "meta-data")).isEqualTo(Optional.of(
                "instance-id: 52:54:00:12:34:58\nlocal-hostname: ubu-01\n"));
    }
}
