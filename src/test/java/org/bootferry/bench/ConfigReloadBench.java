package org.bootferry.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.bootferry.boot.ConfigCheck;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long 10,000 machine files take to load, and one edited file to be applied, through the same
 * loader and check the server uses. Prints figures; asserts only that the result is complete.
 * Run: mvn test -Dgroups=bench -DexcludedGroups= -Dtest=ConfigReloadBench
 */
@Tag("bench")
class ConfigReloadBench {

    private static final int MACHINES = 10_000;

    @TempDir
    Path tmp;

    @Test
    void tenThousandMachines() throws Exception {
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10);
        config.file("templates/ks.cfg", "network --hostname={{hostname}}", "timezone {{vars.timezone}}");
        config.file("profiles/install.yaml", "kernelBoot:", "  files: {kernel: boot/vmlinuz}",
                "  kernelArgs: console=ttyS0 inst.ks={{kickstartUrl}}", "kickstart: ks.cfg", "vars: {timezone: UTC}");
        for (int i = 0; i < MACHINES; i++) {
            MacAddress mac = new MacAddress(0x525400000000L + i);
            config.file("machines/" + mac.dashed() + ".yaml", "hostname: node-" + i, "profile: install");
        }
        for (int round = 1; round <= 3; round++) {
            long t0 = System.nanoTime();
            ConfigLoader loader = new ConfigLoader(config.dir(), Map.of());
            ConfigSnapshot snapshot = loader.load();
            long t1 = System.nanoTime();
            int errors = ConfigCheck.check(snapshot).size();
            long t2 = System.nanoTime();
            if (snapshot.machines().size() != MACHINES || errors != 0) {
                throw new AssertionError(snapshot.machines().size() + " machines, " + errors + " errors");
            }
            System.out.printf(Locale.ROOT, "round %d: load %d machine files %.0f ms, check (plan + render each) %.0f ms%n",
                    round, MACHINES, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            try (ConfigHolder holder = new ConfigHolder(loader, snapshot, ConfigCheck::check)) {
                Path one = config.dir().resolve("machines/52-54-00-00-00-07.yaml");
                for (int edit = 0; edit < 3; edit++) {
                    Files.writeString(one, "hostname: edited-" + round + "-" + edit + "\nprofile: install\n");
                    ConfigHolder.Reload reload = holder.reload(java.util.Set.of(one));
                    System.out.printf(Locale.ROOT, "round %d: one edited file (as a watch event names it) applied in %.1f ms%n", round,
                            reload.took().toNanos() / 1e6);
                }
                holder.watch(Duration.ofSeconds(30));
                MacAddress seven = MacAddress.parse("52:54:00:00:00:07");
                for (int edit = 0; edit < 3; edit++) {
                    String hostname = "watched-" + round + "-" + edit;
                    long written = System.nanoTime();
                    Files.writeString(one, "hostname: " + hostname + "\nprofile: install\n");
                    while (!hostname.equals(holder.get().machines().get(seven).config().hostname())) {
                        Thread.sleep(1);
                    }
                    System.out.printf(Locale.ROOT, "round %d: edit to in force through the watcher: %.0f ms%n", round,
                            (System.nanoTime() - written) / 1e6);
                }
            }
        }
    }
}
