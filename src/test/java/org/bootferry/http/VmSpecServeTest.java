package org.bootferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bootferry.config.ConfigLoader;
import org.bootferry.image.ImageResolver;
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
        listener = Listener.start(config, tmp, blocking, HttpLimits.DEFAULTS,
                deps -> deps.withImages(images, new SimpleMeterRegistry()));
        base = "http://127.0.0.1:" + listener.port();
    }

    @AfterAll
    static void stop() {
        listener.close();
        blocking.shutdownNow();
        images.close();
    }

    private static String get(String path) {
        return Processes.check("curl", "-sSf", base + path);
    }

    @Test
    void theScriptBootsTheSpecsKernelWithItsArgsAndTheNoCloudSeed() {
        assertThat(get("/boot.ipxe?mac=" + MAC)).isEqualTo("#!ipxe\n"
                + "# bootferry: node-07 (52:54:00:4b:00:07)\n"
                + "kernel http://127.0.0.1:8080/boot/" + MAC + "/kernel initrd=initrd console=ttyS0 rd.neednet=1 ip=dhcp"
                + " ds=nocloud-net;s=http://127.0.0.1:8080/files/" + MAC + "/\n"
                + "initrd --name initrd http://127.0.0.1:8080/boot/" + MAC + "/initrd\n"
                + "boot\n");
    }

    @Test
    void theSeedIsTheSpecsVolumeAsWrittenAndMetaDataFromItsName() {
        assertThat(get("/files/" + MAC + "/user-data"))
                .isEqualTo("#cloud-config\nhostname: node-07\nruncmd:\n  - echo {{ not a bootferry template }}");
        assertThat(get("/files/" + MAC + "/meta-data")).isEqualTo("instance-id: \"node-07\"\nlocal-hostname: \"node-07\"\n");
        assertThat(get("/files/" + MAC + "/network-config"))
                .isEqualTo("version: 2\nethernets:\n  eth0:\n    dhcp4: true\n");
    }
}
