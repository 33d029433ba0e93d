package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.bootferry.boot.ConfigCheck;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live reload as an admin meets it: edit, break, fix, delete, rename files under a running server. */
class ConfigHolderTest {

    static final MacAddress NODE1 = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress NODE2 = MacAddress.parse("52:54:00:12:34:57");

    static final Duration SOON = Duration.ofSeconds(10);

    @TempDir
    Path tmp;
    ConfigDir config;
    ConfigHolder holder;

    @BeforeEach
    void running() throws Exception {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10);
        machine("52-54-00-12-34-56.yaml", "node-01");
        config.file("templates/ks.cfg", "host {{hostname}}");
        ConfigLoader loader = new ConfigLoader(config.dir(), Map.of());
        holder = new ConfigHolder(loader, loader.load().requireValid(), ConfigCheck::check);
        // A long rescan interval: what is seen here is the watcher's doing.
        holder.watch(Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() {
        holder.close();
    }

    private void machine(String file, String hostname) {
        config.file("machines/" + file, "hostname: " + hostname, "kernelBoot:", "  files: {kernel: boot/vmlinuz}",
                "kickstart: ks.cfg");
    }

    /**
     * Waits for the watcher to apply an edit. The limit is generous (a loaded CI machine); how fast
     * it really is, ConfigReloadBench measures.
     */
    private ConfigSnapshot within(Duration limit, Predicate<ConfigSnapshot> condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.test(holder.get())) {
                return holder.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("not seen within " + limit + "; snapshot in force: " + holder.get().machines());
    }

    private static String hostname(ConfigSnapshot s, MacAddress mac) {
        return s.machines().get(mac) == null ? null : s.machines().get(mac).config().hostname();
    }

    @Test
    void anEditTakesEffectWithoutARestart() throws Exception {
        machine("52-54-00-12-34-56.yaml", "node-01-renamed");
        within(SOON, s -> "node-01-renamed".equals(hostname(s, NODE1)));
    }

    @Test
    void additionsDeletionsAndRenamesTakeEffect() throws Exception {
        machine("52-54-00-12-34-57.yaml", "node-02");
        within(SOON, s -> "node-02".equals(hostname(s, NODE2)));
        Files.move(config.dir().resolve("machines/52-54-00-12-34-57.yaml"), config.dir().resolve("machines/52-54-00-12-34-58.yaml"));
        within(SOON, s -> s.machines().containsKey(MacAddress.parse("52:54:00:12:34:58"))
                && !s.machines().containsKey(NODE2));
        Files.delete(config.dir().resolve("machines/52-54-00-12-34-56.yaml"));
        within(SOON, s -> !s.machines().containsKey(NODE1));
    }

    @Test
    void aBrokenEditKeepsTheLastGoodVersionAndReportsTheError() throws Exception {
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01-new", "kernelBot: {}");
        ConfigSnapshot s = within(SOON, x -> !x.errors().isEmpty());
        assertThat(hostname(s, NODE1)).isEqualTo("node-01");
        assertThat(s.errors()).singleElement().hasToString(config.dir().resolve("machines/52-54-00-12-34-56.yaml")
                + ":2: unknown key 'kernelBot' (did you mean 'kernelBoot'?)");
        machine("52-54-00-12-34-56.yaml", "node-01-fixed");
        s = within(SOON, x -> "node-01-fixed".equals(hostname(x, NODE1)));
        assertThat(s.errors()).isEmpty();
    }

    @Test
    void aTemplateWithAnUnknownVariableNeverTakesEffect() throws Exception {
        config.file("templates/ks.cfg", "host {{hostnam}}");
        ConfigHolder.Reload reload = holder.reload();
        assertThat(reload.errors()).extracting(ConfigError::toString).containsExactly(
                config.dir().resolve("templates/ks.cfg") + ":1: unknown variable 'hostnam' (known here: arch, doneUrl, family, filesUrl, "
                        + "firmware, hostname, initrdUrl, kernelUrl, kickstartUrl, mac, secrets, server, serverUrl, vars)");
        assertThat(reload.snapshot().templates()).containsEntry("ks.cfg", "host {{hostname}}\n");
    }

    @Test
    void aServerYamlPortEditWaitsForARestart() {
        config.file("server.yaml", "httpPort: 9999", "loaders: {bios: other.kpxe}");
        ConfigSnapshot s = holder.reload().snapshot();
        assertThat(s.settings().httpPort()).isEqualTo(8080);
        assertThat(s.settings().loaders()).containsEntry("bios", "other.kpxe");
    }

    @Test
    void reloadsAreAnnounced() throws Exception {
        List<ConfigHolder.Reload> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        holder.onReload(seen::add);
        machine("52-54-00-12-34-57.yaml", "node-02");
        within(SOON, s -> s.machines().containsKey(NODE2));
        // Listeners are called after the snapshot is in force: the one seen above may not be announced yet.
        long deadline = System.nanoTime() + SOON.toNanos();
        while (seen.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(seen).isNotEmpty();
        assertThat(seen.get(seen.size() - 1).snapshot().machines()).containsKey(NODE2);
    }

    @Test
    void theWatcherOutlivesAnyThrowableSaysSoAndRetriesUntilTheEditApplies() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean outOfMemory = new java.util.concurrent.atomic.AtomicBoolean();
        ConfigLoader loader = new ConfigLoader(config.dir(), Map.of());
        try (ConfigHolder failing = new ConfigHolder(loader, loader.load().requireValid(), (next, inForce) -> {
            if (outOfMemory.get()) {
                throw new OutOfMemoryError("Java heap space");
            }
            return List.of();
        })) {
            failing.watch(Duration.ofSeconds(30));
            outOfMemory.set(true);
            machine("52-54-00-12-34-56.yaml", "node-01-renamed");
            long deadline = System.nanoTime() + SOON.toNanos();
            while (failing.failure().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(failing.failure()).hasValueSatisfying(why -> assertThat(why)
                    .startsWith("config reload failed: java.lang.OutOfMemoryError: Java heap space"));
            assertThat(hostname(failing.get(), NODE1)).isEqualTo("node-01");
            // No further edit: the retry alone applies the one the failure held up.
            outOfMemory.set(false);
            while ((!"node-01-renamed".equals(hostname(failing.get(), NODE1)) || failing.failure().isPresent())
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(hostname(failing.get(), NODE1)).isEqualTo("node-01-renamed");
            assertThat(failing.failure()).isEmpty();
        }
    }

    @Test
    void aFileIsTakenOnlyOnceItHasStoppedChanging() throws Exception {
        // A slow copy: each step is a valid file naming another host. None but the last may take effect.
        // A quiet time far above the copy's pauses, so that a loaded machine's stall doesn't end it early.
        holder.close();
        ConfigLoader loader = new ConfigLoader(config.dir(), Map.of());
        holder = new ConfigHolder(loader, loader.load().requireValid(), ConfigCheck::check);
        holder.watch(Duration.ofSeconds(30), Duration.ofSeconds(1));
        Path file = config.dir().resolve("machines/52-54-00-12-34-56.yaml");
        Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        holder.onReload(r -> seen.add(hostname(r.snapshot(), NODE1)));
        String head = "kernelBoot:\n  files: {kernel: boot/vmlinuz}\nkickstart: ks.cfg\nhostname: node-";
        Files.writeString(file, head);
        for (int i = 0; i < 5; i++) {
            Thread.sleep(20);
            Files.writeString(file, "x", java.nio.file.StandardOpenOption.APPEND);
        }
        String last = "node-" + "x".repeat(5);
        within(SOON, s -> last.equals(hostname(s, NODE1)));
        assertThat(seen).containsOnly(last);
    }
}
