package org.bootferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bootferry.boot.BootPlanner;
import org.bootferry.boot.Capabilities;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.journal.CapabilityKey;
import org.bootferry.image.ImageResolver;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.server.ImageSupport;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A KubeVirt VM spec dropped into {@code machines/} as it is, served by a running listener and
 * fetched with curl: the iPXE script boots its kernelBoot with its kernelArgs and the NoCloud seed
 * added, and the seed is its {@code cloudInitNoCloud} volume, with meta-data from its name.
 */
class VmSpecServeTest {

    private static final String SPEC = "own-kubevirt-kernelboot-nocloud.yaml";
    private static final String MAC = "52-54-00-4b-00-07";

    @TempDir
    static Path tmp;
    static ExecutorService blocking;
    static ImageResolver images;
    static Listener listener;
    static String base;
    /** Plans as DHCP does, with the listener's capability key: the script URL a booting iPXE is handed. */
    static BootPlanner dhcp;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("curl", "curl");
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        Files.createDirectories(config.dir().resolve("machines"));
        Files.copy(Path.of("src/test/resources/vmspecs", SPEC), config.dir().resolve("machines").resolve(SPEC));
        config.file("server.yaml", "cache: " + tmp.resolve("cache"));
        blocking = Executors.newCachedThreadPool();
        // An image resolver over an empty cache: the script is planned without pulling, as DHCP plans it.
        images = ImageSupport.resolver(ConfigLoader.load(config.dir()).requireValid().settings());
        Capabilities capabilities = Capabilities.of(CapabilityKey.load(Files.createDirectories(tmp.resolve("state"))),
                Clock.systemUTC());
        listener = Listener.start(config, tmp, blocking, HttpLimits.DEFAULTS,
                deps -> deps.withImages(images, new SimpleMeterRegistry()).withCapabilities(capabilities));
        base = "http://127.0.0.1:" + listener.port();
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        dhcp = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot).withImages(images, new SimpleMeterRegistry())
                .withCapabilities(capabilities));
    }

    @AfterAll
    static void stop() {
        listener.close();
        blocking.shutdownNow();
        images.close();
    }

    private static String get(String url) {
        return Processes.check("curl", "-sSf", url);
    }

    /** The script URL DHCP hands the machine's iPXE, on the listener's port. */
    private static String script() {
        String url = dhcp.plan(new Machine(MacAddress.parse(MAC), Firmware.BIOS, true, Optional.empty()))
                .orElseThrow().bootFile();
        return url.replaceFirst("^http://[^/]+", base);
    }

    /** The NoCloud seed's URL in the script's command line: the files' directory under the capability. */
    private static String seed() {
        String script = get(script());
        int at = script.indexOf("ds=nocloud-net;s=");
        return script.substring(at + "ds=nocloud-net;s=".length(), script.indexOf('\n', at)).replaceFirst("^http://[^/]+", base);
    }

    @Test
    void theScriptBootsTheSpecsKernelWithItsArgsAndTheNoCloudSeed() {
        // Image kernels are public (static URLs); the seed is private, under the boot's capability.
        assertThat(get(script())).matches("#!ipxe\n"
                + "# bootferry: node-07 \\(52:54:00:4b:00:07\\)\n"
                + "kernel http://127\\.0\\.0\\.1:8080/boot/" + MAC + "/kernel initrd=initrd console=ttyS0 rd\\.neednet=1 ip=dhcp"
                + " ds=nocloud-net;s=http://127\\.0\\.0\\.1:8080/files/" + MAC + "/[0-9a-f]+-[0-9a-f]{32}/\n"
                + "initrd --name initrd http://127\\.0\\.0\\.1:8080/boot/" + MAC + "/initrd\n"
                + "boot\n");
    }

    @Test
    void theSeedIsTheSpecsVolumeAsWrittenAndMetaDataFromItsName() {
        String seed = seed();
        assertThat(get(seed + "user-data"))
                .isEqualTo("#cloud-config\nhostname: node-07\nruncmd:\n  - echo {{ not a bootferry template }}");
        assertThat(get(seed + "meta-data")).isEqualTo("instance-id: \"node-07\"\nlocal-hostname: \"node-07\"\n");
        assertThat(get(seed + "network-config"))
                .isEqualTo("version: 2\nethernets:\n  eth0:\n    dhcp4: true\n");
    }
}
