package org.bootferry.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.dhcp.DhcpMessage;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile under a real container engine, by the README's own commands ("Container"): podman
 * builds the image from a checkout and runs it with host networking inside a network namespace of
 * the test's own ({@link BootNetwork}). The container answers a PXE client's broadcast DHCPDISCOVER
 * from the interface's own ProxyDHCP socket, and HTTP and TFTP; it runs as uid 10001 holding
 * CAP_NET_BIND_SERVICE alone, carries its OCI labels, and a bootOnce machine's state outlives
 * {@code podman rm} and a new container on the same volumes.
 *
 * <p>No registry is reachable here, so the Dockerfile's {@code BASE} is a Debian bookworm made as
 * debian:bookworm-slim is (scripts/container-base.sh); it is the only word the test adds to the
 * README's commands. Podman keeps everything in a store under the test's temporary directory
 * (containers.conf and storage.conf there), so an image, container, volume or network of a real
 * deployment on this host is never touched, and resetting the store removes all the test made.
 */
@Tag("e2e")
class ContainerIT {

    private static final Path JAR = Path.of(System.getProperty("bootferry.jar", "target/bootferry.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String NS = "bf-container";
    private static final String BASE = "localhost/bootferry-base:bookworm";
    /** CAP_NET_BIND_SERVICE (bit 10 of capability.h) and nothing else, as /proc/PID/status prints sets. */
    private static final String NET_BIND_SERVICE_ONLY = "0000000000000400";

    @TempDir
    Path tmp;

    private Path checkout;
    private List<String> podmanEnvironment;
    private BootNetwork net;

    @AfterEach
    void tearDown() {
        if (podmanEnvironment != null) {
            Processes.run(podman("podman rm --all --force --time 10"), 120);
            Processes.run(podman("podman system reset --force"), 300);
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    void imageBuiltAndRunAsTheReadmeSaysKeepsBootOnceStateAcrossContainers() throws Exception {
        Tools.requireRoot();
        Tools.require("podman", "podman");
        Tools.require("runc", "runc");
        Tools.require("debootstrap", "debootstrap");
        assertThat(JAR).as("the jar: mvn package first").isRegularFile();
        String readme = Files.readString(Path.of("README.md"));
        String build = readmeCommand(readme, "^    (podman build .*)$");
        String run = readmeCommand(readme, "^    (podman run (?:.*\\\\\\n)*.*)$");
        String remove = readmeCommand(readme, "`(podman rm [^`]*)`");
        useOwnPodmanStore();
        checkoutWithMachine();

        sh(podman(Path.of("scripts/container-base.sh").toAbsolutePath() + " " + BASE), 1800);
        sh(podman(build.replaceFirst("^podman build ", "podman build --pull=never --build-arg BASE=" + BASE + " ")), 1800);
        JsonNode labels = new ObjectMapper().readTree(sh(podman("podman image inspect bootferry --format '{{json .Labels}}'"), 60));
        assertThat(labels.path("org.opencontainers.image.title").asText()).isEqualTo("bootferry");
        assertThat(labels.path("org.opencontainers.image.description").asText()).startsWith("Network boot server");
        assertThat("bootferry " + labels.path("org.opencontainers.image.version").asText())
                .as("the label's version is the jar's").isEqualTo(sh(List.of(JAVA, "-jar", JAR.toString(), "version"), 60).trim());
        assertThat(labels.path("org.opencontainers.image.base.name").asText()).isEqualTo(BASE);

        net = BootNetwork.create(NS);
        sh(net.namespace().enter(podman(run)), 120);
        awaitServing();
        assertThat(net.healthz()).isEqualTo("ok");
        assertThat(net.tftpGet("README", tmp.resolve("README.tftp"))).isEqualTo(Files.readAllBytes(Path.of("tftproot/README")));
        assertThat(logs()).as("epoll's native loaded and SO_BINDTODEVICE needs no more than the run line grants")
                .contains("ProxyDHCP on v0: clients there are told " + BootNetwork.SERVER);
        List<DhcpMessage> offers = net.dhcpAnswers(tmp);
        assertThat(offers).as("ProxyDHCP offers to the EDK2 DISCOVER").isNotEmpty()
                .allSatisfy(offer -> {
                    assertThat(offer.siaddr().getHostAddress()).isEqualTo(BootNetwork.SERVER);
                    assertThat(offer.file()).as("Debian's ipxe.efi, the image's fallback tftpRoot").isEqualTo("ipxe.efi");
                });
        assertUnprivileged();

        net.assertScriptBootsTheKernel();
        assertThat(net.done()).contains("installed");
        sh(podman(remove), 120);
        assertThat(sh(podman("podman ps --all --quiet"), 60)).isEmpty();
        sh(net.namespace().enter(podman(run)), 120);
        awaitServing();
        net.assertScriptBootsTheDisk();
    }

    /** The README's command that {@code regex} (multi-line mode) finds, its group 1. */
    private static String readmeCommand(String readme, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(readme);
        assertThat(m.find()).as("the README's command " + regex).isTrue();
        return m.group(1);
    }

    /**
     * A store, runtime directory, network configs and settings of the test's own, through the two
     * variables podman reads its config files from: the networks too, as {@code podman system reset}
     * removes every network it knows of (by default the host's, in /etc/cni/net.d). runc, not crun:
     * crun 1.8 refuses this host's cgroup hierarchy (v1 with a cgroup2 that holds a controller). The
     * limits: rootful podman asks for 1048576 open files, which a host that denies CAP_SYS_RESOURCE
     * (as this one) cannot grant, so the container gets this process's own hard limit, and processes a
     * limit far above a JVM's threads.
     */
    private void useOwnPodmanStore() throws IOException {
        Path store = Files.createDirectories(tmp.resolve("podman"));
        Path storage = store.resolve("storage.conf");
        Files.writeString(storage, "[storage]\ndriver = \"overlay\"\ngraphroot = \"" + store.resolve("root")
                + "\"\nrunroot = \"" + store.resolve("run") + "\"\n");
        Path containers = store.resolve("containers.conf");
        long files = openFilesHardLimit();
        Files.writeString(containers, "[containers]\ndefault_ulimits = [\"nofile=" + files + ":" + files
                + "\", \"nproc=4096:4096\"]\n[network]\nnetwork_config_dir = \"" + store.resolve("networks")
                + "\"\n[engine]\nruntime = \"runc\"\ntmp_dir = \"" + store.resolve("tmp") + "\"\n");
        podmanEnvironment = List.of("CONTAINERS_CONF=" + containers, "CONTAINERS_STORAGE_CONF=" + storage);
    }

    private static long openFilesHardLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.trim().split("\\s+")[4]);
            }
        }
        throw new AssertionError("no 'Max open files' in /proc/self/limits");
    }

    /** What the build needs of a checkout (see .dockerignore), with machine {@link BootNetwork#MAC} in its config. */
    private void checkoutWithMachine() throws IOException {
        checkout = Files.createDirectories(tmp.resolve("checkout"));
        Files.createDirectories(checkout.resolve("target"));
        Files.copy(JAR, checkout.resolve("target/bootferry.jar"));
        for (String path : List.of("Dockerfile", ".dockerignore", "config", "tftproot", "scripts")) {
            Processes.check("cp", "-r", path, checkout.resolve(path).toString());
        }
        BootNetwork.writeBootOnceMachine(checkout.resolve("config"));
    }

    /** {@code script} run by sh in the checkout, with the test's podman store. */
    private List<String> podman(String script) {
        List<String> command = new ArrayList<>(List.of("env", "--chdir=" + checkout));
        command.addAll(podmanEnvironment);
        command.addAll(List.of("sh", "-c", script));
        return command;
    }

    /** Runs {@code command}, failing the test if it fails; its standard output. */
    private static String sh(List<String> command, int timeoutSeconds) {
        Processes.Result r = Processes.run(command, timeoutSeconds);
        assertThat(r.exit()).as(String.join(" ", command) + ":\n" + r.text() + r.stderr()).isZero();
        return r.text();
    }

    private String logs() {
        Processes.Result r = Processes.run(podman("podman logs bootferry"), 60);
        return r.text() + r.stderr();
    }

    /** Until the server has printed that it advertises its address, its last line once every listener is bound. */
    private void awaitServing() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String logs;
        while (!(logs = logs()).contains("advertising " + BootNetwork.SERVER) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(logs).as("the container's log").contains("advertising " + BootNetwork.SERVER);
    }

    /**
     * The server process (the container's first) as the kernel sees it: uid 10001, holding
     * CAP_NET_BIND_SERVICE and able to gain no other (the bounding set). The ambient set is not
     * asked: podman fills it, but exec of java, which carries the capability as a file capability
     * (see Dockerfile), clears it (capabilities(7), "Transformation of capabilities during execve").
     */
    private void assertUnprivileged() throws IOException {
        String pid = sh(podman("podman inspect bootferry --format '{{.State.Pid}}'"), 60).trim();
        String status = Files.readString(Path.of("/proc", pid, "status"));
        assertThat(status).containsPattern("(?m)^Uid:\\s+10001\\s+10001\\s+10001\\s+10001$")
                .containsPattern("(?m)^Gid:\\s+10001\\s+10001\\s+10001\\s+10001$");
        for (String set : List.of("CapPrm", "CapEff", "CapBnd")) {
            assertThat(status).containsPattern("(?m)^" + set + ":\\s+" + NET_BIND_SERVICE_ONLY + "$");
        }
        assertThat(sh(podman("podman top bootferry user args"), 60)).contains("bootferry").contains("bootferry.jar serve");
        // The JVM maps the class-data sharing archive the build wrote only when it accepted it for this jar and JRE.
        assertThat(Files.readString(Path.of("/proc", pid, "maps"))).contains("/opt/bootferry/bootferry.jsa");
    }
}
