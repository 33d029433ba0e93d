package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.image.Digest;
import org.bootferry.image.ImageResolver;
import org.bootferry.image.ImageSettings;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Nginx;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planning {@code kernelBoot.location} machines: a machine file that names only the tree's URL gets
 * the tree's installer, {@code {{location}}} and {@code {{repoUrl}}} in its command line and install
 * files, and explain says where each file comes from, with its digest once fetched. The tree is
 * Debian's netboot layout on a real nginx on loopback.
 */
class LocationPlanTest {

    private static final Path NETBOOT = Path.of("/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64");
    private static final MacAddress NODE = MacAddress.parse("52:54:00:12:34:56");
    private static final String IMAGES = "debian/dists/bookworm/main/installer-amd64/current/images/";

    @TempDir
    Path tmp;
    private ConfigDir config;
    private ImageResolver resolver;
    private Nginx nginx;

    @BeforeEach
    void mirrorAndConfig() throws Exception {
        Tools.requireFile(NETBOOT.resolve("linux"), "debian-installer-12-netboot-amd64");
        Path di = tmp.resolve("mirror").resolve(IMAGES).resolve("netboot/debian-installer/amd64");
        Files.createDirectories(di);
        Files.copy(NETBOOT.resolve("linux"), di.resolve("linux"));
        Files.copy(NETBOOT.resolve("initrd.gz"), di.resolve("initrd.gz"));
        nginx = Nginx.serve(tmp.resolve("mirror"), tmp.resolve("nginx"));
        config = new ConfigDir(tmp.resolve("config"));
        config.file("server.yaml", "advertise: 10.0.0.1", "httpPort: 8080");
        config.file("templates/debian.preseed", "d-i mirror/http/hostname string {{repoHost}}",
                "d-i mirror/http/directory string {{repoDirectory}}", "# {{repoUrl}}");
        resolver = new ImageResolver(ImageSettings.defaults(tmp.resolve("cache")));
    }

    @AfterEach
    void close() {
        resolver.close();
        nginx.close();
    }

    private String location() {
        return nginx.url().resolve(IMAGES).toString();
    }

    private BootPlanner planner() {
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        return new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot).withImages(resolver, new SimpleMeterRegistry()));
    }

    @Test
    void aMachineNamingOnlyTheTreeBootsItsInstallerWithTheTreeInItsTemplates() throws Exception {
        config.file("machines/52-54-00-12-34-56.yaml", "kernelBoot:", "  location: " + location(),
                "  kernelArgs: \"url={{filesUrl}}preseed.cfg tree={{location}} repo={{repoUrl}}\"",
                "files:", "  preseed.cfg: debian.preseed");
        BootPlanner planner = planner();
        Machine machine = Machine.of(NODE, Firmware.BIOS);

        BootPlan plan = planner.plan(machine).orElseThrow();
        assertThat(plan.cmdline()).isEqualTo("url=http://10.0.0.1:8080/files/52-54-00-12-34-56/CAPABILITY/preseed.cfg tree="
                + location() + " repo=" + nginx.url().resolve("debian/"));
        assertThat(planner.installFile(machine, "preseed.cfg").orElseThrow()).isEqualTo(
                "d-i mirror/http/hostname string 127.0.0.1:" + nginx.url().getPort() + "\n"
                        + "d-i mirror/http/directory string /debian\n# " + nginx.url().resolve("debian/") + "\n");
        assertThat(nginx.requests()).as("planning never fetches").isEmpty();
        Explanation before = planner.explain(NODE).orElseThrow();
        assertThat(before.toString()).contains("install tree " + location() + " kernel (as the tree names it) for"
                + " linux/amd64");

        Path kernel = plan.kernel().orElseThrow().fetch();
        assertThat(Files.mismatch(kernel, NETBOOT.resolve("linux"))).isEqualTo(-1);
        assertThat(plan.initrds().get(0).digest()).isEqualTo(Digest.of(Files.readAllBytes(NETBOOT.resolve("initrd.gz")))
                .toString());

        String after = planner.explain(NODE).orElseThrow().toString();
        assertThat(after).contains("install tree " + location() + " kernel netboot/debian-installer/amd64/linux for"
                + " linux/amd64", Digest.of(Files.readAllBytes(NETBOOT.resolve("linux"))).toString());
    }

    @Test
    void locationIsOneKernelSourceAmongThreeAndItsPolicyIsSpeltAsKubernetes() {
        config.file("machines/52-54-00-12-34-56.yaml", "kernelBoot:", "  location: ftp://mirror/os/",
                "  locationPullPolicy: ifnotpresent", "  container:", "    image: registry.lab/boot/fedora:42");
        assertThat(ConfigLoader.load(config.dir()).errors()).extracting(ConfigError::message).containsExactly(
                "kernelBoot has more than one of 'container', 'files' and 'location': choose one",
                "kernelBoot.location 'ftp://mirror/os/' is not an http:// or https:// URL of an install tree (e.g."
                        + " https://dl.fedoraproject.org/pub/fedora/linux/releases/42/Everything/x86_64/os/)");
        config.file("machines/52-54-00-12-34-56.yaml", "kernelBoot:", "  location: http://mirror/os/",
                "  locationPullPolicy: ifnotpresent");
        assertThat(ConfigCheck.check(ConfigLoader.load(config.dir()))).extracting(ConfigError::toString).containsExactly(
                config.dir().resolve("machines/52-54-00-12-34-56.yaml") + ":3: locationPullPolicy 'ifnotpresent' is"
                        + " not Always, IfNotPresent or Never (did you mean 'IfNotPresent'?)");
    }

    @Test
    void treeVariablesAreUnknownToAMachineWithoutATree() {
        config.file("machines/52-54-00-12-34-56.yaml", "kernelBoot:", "  container: {image: registry.lab/boot/fedora:42}",
                "  kernelArgs: \"inst.repo={{location}}\"");
        assertThat(ConfigCheck.check(ConfigLoader.load(config.dir()))).extracting(ConfigError::message)
                .singleElement().asString().startsWith("kernelArgs: unknown variable 'location'");
    }

    @Test
    void aPlannerWithoutImageSupportSaysSoForATree() {
        config.file("machines/52-54-00-12-34-56.yaml", "kernelBoot:", "  location: " + location());
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        assertThatThrownBy(() -> new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot))
                .plan(Machine.of(NODE, Firmware.BIOS))).isInstanceOf(BootPlanException.class)
                .hasMessageContaining("kernelBoot.location: install tree support is not configured");
    }
}
