package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.image.Digest;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.LocalRegistry;
import org.bootferry.testing.OwnLab;
import org.bootferry.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A VM boots a kernel and an initrd that bootferry pulls out of a container image, as KubeVirt's
 * {@code kernelBoot.container} would, but with no container runtime anywhere. The image is laid out
 * like a distro's (a base layer, then a kernel layer with {@code /boot/vmlinuz-<ver>}, its
 * {@code initrd.img-<ver>} and the {@code /boot/vmlinuz} symlink) and lives in the site's registry:
 * Debian's docker-registry on the boot network, inside the lab's namespace, spoken to over plain http
 * because server.yaml lists it under {@code images.insecureRegistries}. A second machine's file is a
 * KubeVirt VirtualMachine as its user wrote it (kernelBoot from the same image, a cloudInitNoCloud
 * volume): it boots, and its initramfs fetches the NoCloud seed bootferry serves for it.
 * Logs, the serial console and the registry's access log are kept under target/e2e-image/.
 */
@OwnLab(seconds = 95)
class ImageBootEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-image").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final MacAddress MAC = MacAddress.parse("52:54:00:14:00:01");
    private static final String HOSTNAME = "bfm-image-node";
    /** The machine whose file is a KubeVirt VirtualMachine, as a KubeVirt user wrote it. */
    private static final MacAddress VM_SPEC_MAC = MacAddress.parse("52:54:00:14:00:02");
    /** The site's registry: on the boot network beside bootferry, at the registry's usual port. */
    private static final String REGISTRY = BootLab.SERVER_ADDRESS + ":5000";
    private static final String REPOSITORY = "bootferry-e2e/installer";
    private static final String TAG = "installer";

    private static Installer installer;
    private static BootLab lab;
    private static LocalRegistry registry;
    private static TestImages images;
    private static String version;

    @BeforeAll
    static void startLabWithRegistry() throws Exception {
        installer = Installer.prepare(WORK, Client.SEABIOS_E1000);
        version = installer.kernel().vmlinuz().getFileName().toString().substring("vmlinuz-".length());
        images = installerImage(installer.kernel().vmlinuz(), installer.initrd());

        lab = BootLab.start(WORK, "bfm");
        List<String> inLab = lab.serverNamespace().exec();
        registry = LocalRegistry.start(inLab, BootLab.SERVER_ADDRESS, WORK.resolve("registry"), 5000, "");
        images.push(inLab, TAG, image());

        ConfigDir config = installer.config();
        config.file("server.yaml",
                "images:",
                "  insecureRegistries: [\"" + REGISTRY + "\"]");
        config.file("machines/" + MAC.dashed() + ".yaml",
                "hostname: " + HOSTNAME,
                "kernelBoot:",
                "  container:",
                "    image: " + image(),
                "    kernelPath: /boot/vmlinuz",
                "    initrdPath: /boot/initrd.img-" + version,
                "    imagePullPolicy: IfNotPresent",
                "  kernelArgs: \"" + BootArtifacts.consoleArgs("ttyS0") + " inst.ks={{kickstartUrl}} bfm.marker=machine-arg\"",
                "kickstart: " + BootAssertions.KICKSTART);
        config.file("machines/bfm-vm.yaml", kubeVirtVm().split("\n"));
        lab.startBootferry(config.dir(), installer.tftpRoot());
    }

    /**
     * A KubeVirt VirtualMachine with external kernel boot from the lab's image, a bridged boot interface
     * with a fixed MAC, and a cloudInitNoCloud volume: nothing bootferry-specific in it.
     */
    private static String kubeVirtVm() {
        return """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata:
                  name: bfm-vm-spec
                spec:
                  runStrategy: Always
                  template:
                    spec:
                      domain:
                        devices:
                          interfaces:
                            - {name: default, masquerade: {}}
                            - {name: boot-net, bridge: {}, macAddress: "%s", bootOrder: 1}
                        firmware:
                          kernelBoot:
                            container:
                              image: %s
                              kernelPath: /boot/vmlinuz
                              initrdPath: /boot/initrd.img-%s
                              imagePullPolicy: IfNotPresent
                            kernelArgs: "%s bfm.marker=vm-spec"
                      networks:
                        - {name: default, pod: {}}
                        - {name: boot-net, multus: {networkName: boot-net-conf}}
                      volumes:
                        - name: cloudinitdisk
                          cloudInitNoCloud:
                            userData: |
                              #cloud-config
                              runcmd: [echo bfm-user-data-of-the-vm-spec]
                """.formatted(VM_SPEC_MAC, image(), version, BootArtifacts.consoleArgs("ttyS0"));
    }

    private static String image() {
        return REGISTRY + "/" + REPOSITORY + ":" + TAG;
    }

    /**
     * The image as a distro's kernel package would leave it, built with umoci: a base layer, then the
     * kernel layer. Its label carries a default cmdline, which the machine's own kernelArgs must override.
     */
    private static TestImages installerImage(Path vmlinuz, Path initrd) throws Exception {
        TestImages t = new TestImages(Files.createDirectories(WORK.resolve("image")));
        t.newImage(TAG);
        t.layer(TAG, root -> TestImages.write(root, "/etc/os-release", "ID=bootferry-e2e\n".getBytes()));
        t.layer(TAG, root -> {
            TestImages.write(root, "/boot/vmlinuz-" + version, Files.readAllBytes(vmlinuz));
            TestImages.write(root, "/boot/initrd.img-" + version, Files.readAllBytes(initrd));
            TestImages.symlink(root, "/boot/vmlinuz", "vmlinuz-" + version);
        });
        t.config(TAG, "--config.label", ImageBootFiles.LABEL_KERNEL_ARGS + "=console=ttyS0 bfm.marker=image-label-arg");
        return t;
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, ImageBootEndToEndTest.class, registry, lab);
    }

    @Test
    void biosMachineBootsKernelAndInitrdPulledFromItsContainerImage() throws IOException {
        Path dir = WORK.resolve("seabios_e1000");
        Boot boot = lab.bootCaptured(Client.SEABIOS_E1000, MAC, dir, BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, MAC, "bfm.marker=machine-arg", "bfm.marker=image-label-arg", HOSTNAME);
        assertThat(boot.serial()).as("the kernel that booted: the image's, %s", boot.serialLog())
                .anyMatch(l -> l.contains("Linux version " + version + " "));

        // IfNotPresent: the tag is resolved once and each blob bootferry needs is pulled once, although
        // the script, the kernel and the initrd are three requests. The kernel layer holds every wanted
        // path, so the base layer below it is never fetched.
        String repo = "/v2/" + REPOSITORY;
        List<Digest> layers = images.layers(TAG);
        Digest config = Digest.parseOrNull(images.manifest(TAG).path("config").path("digest").asText());
        assertThat(registry.requests("GET " + repo + "/manifests/" + TAG + " ")).as("manifest GETs").isEqualTo(1);
        assertThat(registry.requests("GET " + repo + "/blobs/" + config + " ")).as("config GETs").isEqualTo(1);
        assertThat(registry.requests("GET " + repo + "/blobs/" + layers.get(1) + " ")).as("kernel layer GETs").isEqualTo(1);
        assertThat(registry.requests("GET " + repo + "/blobs/" + layers.get(0) + " ")).as("base layer GETs").isZero();
    }

    @Test
    void aKubeVirtVmSpecBootsAsItIsAndItsInitramfsReadsTheNoCloudSeedFromBootferry() throws IOException {
        Path dir = WORK.resolve("vm-spec");
        Boot boot = lab.bootCaptured(Client.SEABIOS_E1000, VM_SPEC_MAC, dir, BOOT_TIMEOUT);

        String where = BootAssertions.where(boot);
        assertThat(boot.stopped()).as("the boot did not power off by itself; %s", where).isEmpty();
        List<String> serial = boot.serial();
        assertThat(serial).as("the spec's kernelArgs and the NoCloud seed bootferry added; %s", where)
                .anyMatch(l -> l.startsWith(BootArtifacts.CMDLINE_MARK) && l.contains("bfm.marker=vm-spec")
                        && l.matches(".*ds=nocloud-net;s=http://" + Pattern.quote(BootLab.SERVER_ADDRESS)
                                + "(:80)?/files/" + VM_SPEC_MAC.dashed() + "/[0-9a-f]+-[0-9a-f]{32}/( .*|$)"));
        assertThat(serial).as("the kernel that booted: the image's, %s", where)
                .anyMatch(l -> l.contains("Linux version " + version + " "));
        int begin = serial.indexOf(serial.stream().filter(l -> l.startsWith(BootArtifacts.NOCLOUD_BEGIN)).findFirst()
                .orElseThrow(() -> new AssertionError("the initramfs found no NoCloud seed; " + where)));
        List<String> seed = serial.subList(begin, serial.size());
        assertThat(seed).as("user-data and meta-data the initramfs fetched; %s", where)
                .contains("runcmd: [echo bfm-user-data-of-the-vm-spec]", "local-hostname: \"bfm-vm-spec\"",
                        BootArtifacts.NOCLOUD_END + " rc=0");
    }
}
