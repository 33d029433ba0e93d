package org.bootferry.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd/bootferry.service under a real systemd: a Debian tree (scripts/systemd-tree.sh, built once
 * per machine) booted with {@code systemd-nspawn --boot} in a network namespace of the test's own,
 * the jar and unit installed by the README's own commands (see {@link BootNetwork}). Start answers
 * HTTP and TFTP, a reload takes an edit, a stop leaves the unit inactive (not failed), and a
 * restart keeps boot-once state.
 */
@Tag("e2e")
class SystemdUnitIT {

    private static final Path JAR = Path.of(System.getProperty("bootferry.jar", "target/bootferry.jar"));
    private static final Path TREE = Path.of(System.getProperty("bootferry.systemdTree", "/var/tmp/bootferry-systemd-tree"));
    private static final String NS = "bf-systemd-unit";

    @TempDir
    Path tmp;

    private BootNetwork net;
    private Path root;
    private Process nspawn;
    private long init;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (nspawn != null) {
            nspawn.destroy(); // nspawn asks the container's systemd to power off
            if (!nspawn.waitFor(60, TimeUnit.SECONDS)) {
                nspawn.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (root != null) {
            Processes.run(List.of("umount", root.toString()), 30);
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    void startReloadStopAndRestartUnderSystemd() throws Exception {
        Tools.requireRoot();
        Tools.require("debootstrap", "debootstrap");
        Tools.require("systemd-nspawn", "systemd-container");
        assertThat(JAR).as("the jar: mvn package first").isRegularFile();
        Processes.Result tree = Processes.run(List.of("scripts/systemd-tree.sh", TREE.toString()), 1800);
        assertThat(tree.exit()).as(tree.text() + tree.stderr()).isZero();
        boot();
        installAsTheReadmeSays();

        assertThat(container("systemctl is-active bootferry").trim()).isEqualTo("active");
        assertThat(container("systemctl show -p StatusText --value bootferry").trim())
                .isEqualTo("0 machines, 0 config errors");
        assertThat(net.healthz()).isEqualTo("ok");
        // The JVM maps the class-data sharing archive the install wrote only when it accepted it for this jar and JRE.
        assertThat(container("grep -q /opt/bootferry/bootferry.jsa /proc/$(systemctl show -p MainPID --value bootferry)/maps"
                + " && echo mapped || echo 'not mapped'").trim()).isEqualTo("mapped");
        assertThat(net.tftpGet("README", tmp.resolve("README.tftp"))).isEqualTo(Files.readAllBytes(Path.of("tftproot/README")));

        BootNetwork.writeBootOnceMachine(root.resolve("etc/bootferry"));
        container("chgrp -R bootferry /etc/bootferry && chmod -R g+rX,o-rwx /etc/bootferry && systemctl reload bootferry");
        awaitContainer("systemctl show -p StatusText --value bootferry", "1 machine, 0 config errors");
        awaitContainer("journalctl -u bootferry --no-pager | grep -c 'SIGHUP: reloading the config'", "1");
        net.assertScriptBootsTheKernel();
        assertThat(net.done()).contains("installed");

        container("systemctl stop bootferry");
        assertThat(container("systemctl is-active bootferry || true").trim()).isEqualTo("inactive");
        assertThat(container("systemctl show -p Result -p ExecMainStatus bootferry"))
                .contains("Result=success").contains("ExecMainStatus=0");

        container("systemctl start bootferry");
        net.assertScriptBootsTheDisk();
    }

    /** Boots the tree (through an overlay, so the cached tree stays clean) with systemd as PID 1. */
    private void boot() throws IOException, InterruptedException {
        net = BootNetwork.create(NS);
        root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(tmp.resolve("upper"));
        Files.createDirectories(tmp.resolve("work"));
        Processes.check("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + TREE + ",upperdir=" + tmp.resolve("upper")
                + ",workdir=" + tmp.resolve("work"), root.toString());
        Files.createDirectories(Path.of("/run/systemd/nspawn"));
        // No systemd runs this host, so no bus to register with or take a scope from (--register=no
        // --keep-unit); and nspawn refuses to clean up under a /run that is not a tmpfs, so it gets
        // one in a mount namespace of its own.
        String command = "mount -t tmpfs tmpfs /run/systemd/nspawn && exec systemd-nspawn --quiet -D " + root
                + " --boot --register=no --keep-unit --machine=" + NS + " --console=passive"
                + " --network-namespace-path=/run/netns/" + NS;
        nspawn = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c", command)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("nspawn.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            Optional<ProcessHandle> pid1 = nspawn.descendants().filter(p -> p.info().command()
                    .map(c -> c.endsWith("/systemd") || c.endsWith("/init")).orElse(false)).findFirst();
            if (pid1.isPresent()) {
                init = pid1.get().pid();
                String state = Processes.run(inContainer("systemctl is-system-running"), 30).text().trim();
                if (state.equals("running") || state.equals("degraded")) {
                    return;
                }
            }
            assertThat(nspawn.isAlive()).as(Files.readString(tmp.resolve("nspawn.log"))).isTrue();
            assertThat(System.nanoTime()).as("the container's systemd is up within 90 s").isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    /** Copies what a checkout has into /root/bootferry and runs the README's install block there. */
    private void installAsTheReadmeSays() throws IOException {
        Path checkout = root.resolve("root/bootferry");
        Files.createDirectories(checkout.resolve("target"));
        Files.copy(JAR, checkout.resolve("target/bootferry.jar"));
        for (String path : List.of("README.md", "config", "tftproot", "systemd", "scripts")) {
            Processes.check("cp", "-r", path, checkout.resolve(path).toString());
        }
        Matcher block = Pattern.compile("(?ms)^    (useradd .*?enable --now bootferry)$").matcher(Files.readString(Path.of("README.md")));
        assertThat(block.find()).as("the README's install commands").isTrue();
        Files.writeString(root.resolve("root/install.sh"), "set -ex\ncd /root/bootferry\n"
                + block.group(1).replaceAll("(?m)^    ", "") + "\n");
        container("sh /root/install.sh");
    }

    private List<String> inContainer(String script) {
        return List.of("nsenter", "--target", Long.toString(init), "--all", "sh", "-c", script);
    }

    /** Runs a shell command in the container, failing the test if it fails; its output. */
    private String container(String script) {
        Processes.Result r = Processes.run(inContainer(script), 120);
        assertThat(r.exit()).as(script + ":\n" + r.text() + r.stderr() + "\n" + journal()).isZero();
        return r.text();
    }

    private void awaitContainer(String script, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last;
        while (!(last = Processes.run(inContainer(script), 30).text().trim()).equals(expected)
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(last).as(script + "\n" + journal()).isEqualTo(expected);
    }

    private String journal() {
        return Processes.run(inContainer("journalctl -u bootferry --no-pager | tail -40"), 30).text();
    }
}
