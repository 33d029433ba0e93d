package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.testing.Commands.bootferry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bootferry.e2e.BootArtifacts;
import org.bootferry.e2e.GuestArch;
import org.bootferry.e2e.Vmlinux;
import org.bootferry.testing.Commands;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.LocalRegistry;
import org.bootferry.testing.Processes;
import org.bootferry.testing.TestImages;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Virtink kernel image in a real registry (Debian's docker-registry on 127.0.0.1:17120): one layer
 * with {@code /vmlinux}, the ELF vmlinux inside Debian's amd64 bzImage, as Cloud Hypervisor boots it.
 * bootferry finds it by convention, and every place an admin looks says no PXE chain boots it and what
 * to put in the image instead: the kernel request that pulls it, then (from the cache) validate,
 * explain, the status page and the API.
 */
class VirtinkImageTest {

    private static final int REGISTRY_PORT = 17120;
    /** URLs in answers carry the configured port, so the server is given a fixed one. */
    private static final int HTTP_PORT = 17130;
    private static final int TFTP_PORT = 17131;
    private static final String MAC = "52-54-00-bf-00-0e";

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    private static LocalRegistry registry;
    private static String image;
    private ConfigDir config;
    private InProcessServer server;

    @BeforeAll
    static void registryWithAVirtinkImage() throws Exception {
        Tools.require("curl", "curl");
        byte[] vmlinux = Files.readAllBytes(Vmlinux.inside(BootArtifacts.debianKernel(GuestArch.AMD64).vmlinuz()));
        TestImages images = new TestImages(Files.createDirectories(shared.resolve("images")));
        images.newImage("virtink");
        images.layer("virtink", root -> TestImages.write(root, "/vmlinux", vmlinux));
        registry = LocalRegistry.start(shared.resolve("registry"), REGISTRY_PORT, "");
        image = registry.address() + "/virtink/kernel:6.1";
        images.push("virtink", image);
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private void machineBootingTheImage() {
        config = new ConfigDir(tmp.resolve("config"));
        config.loopbackServer(tmp, HTTP_PORT, TFTP_PORT);
        config.file("machines/" + MAC + ".yaml", "hostname: virtink-01", "access: open", "kernelBoot:", "  container:",
                "    image: " + image, "  kernelArgs: console=ttyS0");
    }

    private String startServer() throws IOException {
        server = InProcessServer.start(config.dir());
        return server.http();
    }

    private static Processes.Result curl(String url) {
        return Processes.run(List.of("curl", "-sS", "-w", "\n%{http_code}", url), 120);
    }

    @Test
    void anElfVmlinuxIsRefusedAtItsFirstBootThenByValidateExplainAndTheStatusPage() throws Exception {
        machineBootingTheImage();
        String machineFile = config.dir().resolve("machines/" + MAC + ".yaml").toString();
        String expected = "the image's /vmlinux (" + image + ", linux/amd64) is an ELF vmlinux for x86-64 (ELF64,"
                + " little-endian): Cloud Hypervisor boots that directly (Virtink's convention), no PXE chain does;"
                + " PXE chains need a bzImage (x86-64) or an EFI-stub Image (arm64): put /boot/vmlinuz from the"
                + " distribution's kernel package in the image";

        // Not pulled yet: nothing knows what the image holds, so the machine is planned as usual.
        Commands.Run validate = bootferry("validate", "--config", config.dir().toString());
        assertThat(validate.exit()).as(validate.out() + validate.err()).isZero();
        String base = startServer();
        assertThat(curl(base + "/boot.ipxe?mac=" + MAC).text()).contains("kernel " + base + "/boot/" + MAC + "/kernel");

        // The kernel request pulls the image, sees the ELF header and says so instead of sending it.
        String refused = curl(base + "/boot/" + MAC + "/kernel").text();
        assertThat(refused).isEqualTo("image " + image + " kernel (by label or convention) for linux/amd64 unavailable: "
                + expected + "\n\n503");
        assertThat(curl(base + "/api/events?mac=" + MAC).text()).contains("\"stage\":\"failed\",\"detail\":\"kernel "
                + refused.substring(0, refused.indexOf("\n")) + "\"}");

        // Cached now: the script is refused too, and explain, validate and the status page say it.
        assertThat(curl(base + "/boot.ipxe?mac=" + MAC).text()).contains(expected).endsWith("\n500");
        assertThat(curl(base + "/api/machines/" + MAC).text()).contains("\"error\":\"" + machineFile + ": " + expected);
        assertThat(curl(base + "/").text()).contains("<td colspan=\"3\" class=\"errors\">" + machineFile + ": "
                + expected.replace("'", "&#39;") + "</td>");

        Commands.Run explain = bootferry("explain", MAC, "--config", config.dir().toString());
        assertThat(explain.exit()).isEqualTo(1);
        assertThat(explain.out()).isEqualTo("52:54:00:bf:00:0e: not booted: " + machineFile + ": " + expected + "\n");

        validate = bootferry("validate", "--config", config.dir().toString());
        assertThat(validate.exit()).isEqualTo(1);
        assertThat(validate.out()).isEqualTo(machineFile + ": " + expected + "\n1 error(s) in " + config.dir() + "\n");

        Commands.Run pull = bootferry("pull", image, "--config", config.dir().toString());
        assertThat(pull.exit()).as(pull.err()).isZero();
        assertThat(pull.out()).contains("found by convention Virtink /vmlinux")
                .contains("          an ELF vmlinux for x86-64 (ELF64, little-endian)\n");
    }
}
