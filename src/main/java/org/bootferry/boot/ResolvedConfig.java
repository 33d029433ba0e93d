package org.bootferry.boot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.MachineFile;

/**
 * A config snapshot with each machine file's {@code profile:} chain followed once: the first request
 * of a machine resolves it, every later request in the same snapshot (a DHCP offer, the 4011 ack, the
 * script, the kernel, the kickstart) finds it resolved. A new snapshot starts afresh.
 */
final class ResolvedConfig {

    private final ConfigSnapshot snapshot;
    /** Per machine file: its {@link MachineConfig} over its profiles, or the {@link BootPlanException} saying why not. */
    private final Map<Path, Object> resolved = new ConcurrentHashMap<>();

    ResolvedConfig(ConfigSnapshot snapshot) {
        this.snapshot = snapshot;
    }

    ConfigSnapshot snapshot() {
        return snapshot;
    }

    /**
     * The machine's config with every absent field taken from its profiles; the machine's own values win.
     *
     * @throws BootPlanException when a profile is missing or profiles include each other
     */
    MachineConfig resolve(MachineFile file) {
        Object r = resolved.computeIfAbsent(file.file(), f -> {
            try {
                return followProfiles(file);
            } catch (BootPlanException e) {
                return e;
            }
        });
        if (r instanceof BootPlanException e) {
            throw e;
        }
        return (MachineConfig) r;
    }

    private MachineConfig followProfiles(MachineFile file) {
        MachineConfig c = file.config();
        List<String> seen = new ArrayList<>();
        while (c.profile() != null) {
            if (seen.contains(c.profile())) {
                seen.add(c.profile());
                throw new BootPlanException(new ConfigError(file.file(), 0, "profiles include each other: "
                        + String.join(" -> ", seen)));
            }
            seen.add(c.profile());
            ConfigSnapshot.ProfileFile profile = snapshot.profiles().get(c.profile());
            if (profile == null) {
                throw new BootPlanException(new ConfigError(file.file(), 0, "profile '" + c.profile() + "' not found"));
            }
            c = c.over(profile.config());
        }
        return c;
    }
}
