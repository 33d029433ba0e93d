package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.bootferry.boot.ConfigCheck;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.KubeletVolume;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config directory as deploy/kubernetes mounts it: ConfigMap volumes, which the kubelet updates
 * by writing a new hidden {@code ..<timestamp>} directory and renaming a {@code ..data} link over
 * the old one ({@link KubeletVolume}), server.yaml at the top and machine files in a volume of their
 * own mounted at {@code machines/}. A running watcher follows each swap, and no file under a
 * {@code ..}-name is ever read as a config file.
 */
class ConfigMapReloadTest {

    static final String NODE1 = "52-54-00-12-34-56.yaml";
    static final String NODE2 = "52-54-00-12-34-57.yaml";
    static final String NODE3 = "52-54-00-12-34-58.yaml";

    /** Generous for a loaded CI machine; the watcher takes milliseconds (ConfigReloadBench). */
    static final Duration SOON = Duration.ofSeconds(10);

    @TempDir
    Path tmp;
    KubeletVolume config;
    KubeletVolume machines;
    ConfigHolder holder;
    final List<ConfigHolder.Reload> reloads = new CopyOnWriteArrayList<>();

    @BeforeEach
    void running() throws Exception {
        config = new KubeletVolume(tmp.resolve("config"));
        config.writeText(Map.of("server.yaml", server(30)));
        machines = new KubeletVolume(config.dir().resolve("machines"));
        machines.writeText(Map.of(NODE1, machine("node-01"), NODE2, machine("node-02")));
        ConfigLoader loader = new ConfigLoader(config.dir(), Map.of());
        holder = new ConfigHolder(loader, loader.load().requireValid(), ConfigCheck::check);
        holder.onReload(reloads::add);
        // A rescan far beyond the test: every change seen here is the file watcher's doing.
        holder.watch(Duration.ofMinutes(10));
    }

    @AfterEach
    void stop() {
        holder.close();
    }

    private static String server(int pullTimeout) {
        return "advertise: 127.0.0.1\nimages: {pullTimeout: " + pullTimeout + "}\n";
    }

    private static String machine(String hostname) {
        return "hostname: " + hostname + "\nkernelBoot:\n  container: {image: registry.example.org/boot/fedora:42}\n";
    }

    private static Map<String, String> hostnames(ConfigSnapshot s) {
        Map<String, String> names = new TreeMap<>();
        s.machines().forEach((mac, file) -> names.put(mac.toString(), file.config().hostname()));
        return names;
    }

    private ConfigSnapshot within(Predicate<ConfigSnapshot> condition) throws InterruptedException {
        long deadline = System.nanoTime() + SOON.toNanos();
        while (System.nanoTime() < deadline) {
            ConfigSnapshot now = holder.get();
            if (condition.test(now)) {
                return now;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("not seen within " + SOON + "; in force: " + hostnames(holder.get()));
    }

    @Test
    void theKubeletsSymlinkSwapAppliesLive() throws Exception {
        assertThat(hostnames(holder.get())).containsExactly(
                Map.entry("52:54:00:12:34:56", "node-01"), Map.entry("52:54:00:12:34:57", "node-02"));

        // One update that changes a machine, adds one and removes one, as `kubectl apply` of the ConfigMap does.
        machines.writeText(Map.of(NODE1, machine("node-01-new"), NODE3, machine("node-03")));
        within(s -> hostnames(s).equals(Map.of("52:54:00:12:34:56", "node-01-new", "52:54:00:12:34:58", "node-03")));

        // server.yaml is itself a link into the top volume's ..data.
        config.writeText(Map.of("server.yaml", server(45)));
        within(s -> s.settings().images().pullTimeout().equals(Duration.ofSeconds(45)));

        machines.writeText(Map.of(NODE3, machine("node-03")));
        within(s -> hostnames(s).equals(Map.of("52:54:00:12:34:58", "node-03")));
        machines.writeText(Map.of());
        within(s -> s.machines().isEmpty());

        assertThat(reloads).as("reloads the watcher made").isNotEmpty();
        List<ConfigError> errors = new ArrayList<>();
        reloads.forEach(r -> errors.addAll(r.errors()));
        assertThat(errors).as("a ..data or ..<timestamp> copy read as a machine would be a second file for its MAC")
                .isEmpty();
        for (ConfigHolder.Reload r : reloads) {
            assertThat(r.snapshot().machines().values()).allSatisfy(m ->
                    assertThat(m.file()).isEqualTo(config.dir().resolve("machines").resolve(m.file().getFileName())));
        }
    }

    /** What the loader lists in a projected volume: the visible links, never the hidden copies behind them. */
    @Test
    void onlyTheVisibleLinksAreMachineFiles() throws Exception {
        machines.writeText(Map.of(NODE1, machine("node-01"), NODE3, machine("node-03")));
        ConfigSnapshot loaded = ConfigLoader.load(config.dir());
        assertThat(loaded.errors()).isEmpty();
        assertThat(loaded.machines().values()).extracting(m -> config.dir().relativize(m.file()).toString())
                .containsExactlyInAnyOrder("machines/" + NODE1, "machines/" + NODE3);
        assertThat(loaded.machine(MacAddress.parse("52:54:00:12:34:57"))).isEmpty();
    }
}
