package org.bootferry.boot;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.MachineFile;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;

/**
 * The errors that only show when files meet: every machine file planned and its install files
 * rendered, as a boot would (an unknown template variable, a missing profile, a loader for an unknown
 * firmware). {@code bootferry validate} runs it, and every reload before a snapshot goes in force.
 */
public final class ConfigCheck {

    private static final MacAddress EXAMPLE_MAC = MacAddress.parse("00:00:00:00:00:00");

    private ConfigCheck() {
    }

    /** Checks every machine file of the snapshot. */
    public static List<ConfigError> check(ConfigSnapshot snapshot) {
        return check(snapshot, Optional.empty());
    }

    /**
     * Like {@link #check(ConfigSnapshot)}, but skips the machine files that {@code checked} (a
     * snapshot that passed) holds unchanged while settings, profiles and templates are unchanged too:
     * after one edit, one machine is planned, not ten thousand.
     */
    public static List<ConfigError> check(ConfigSnapshot snapshot, ConfigSnapshot checked) {
        return check(snapshot, Optional.of(checked));
    }

    private static List<ConfigError> check(ConfigSnapshot snapshot, Optional<ConfigSnapshot> checked) {
        boolean sharedUnchanged = checked.isPresent()
                && checked.get().settings().equals(snapshot.settings())
                && checked.get().profiles().equals(snapshot.profiles())
                && checked.get().templates().equals(snapshot.templates());
        // A set: machines sharing a profile or template share its error, which is reported once.
        Set<ConfigError> errors = new LinkedHashSet<>();
        for (String id : snapshot.settings().loaders().keySet()) {
            if (Firmware.byId(id).isEmpty()) {
                errors.add(new ConfigError(snapshot.dir().resolve("server.yaml"), 0, "loaders: unknown firmware '" + id
                        + "' (known: " + Firmware.ids() + ")"));
            }
        }
        ResolvedConfig config = new ResolvedConfig(snapshot);
        BootPlanner.Dependencies checking = BootPlanner.Dependencies.of(() -> snapshot);
        List<MachineFile> files = new ArrayList<>(snapshot.machines().values());
        snapshot.defaultMachine().ifPresent(files::add);
        for (MachineFile file : files) {
            if (sharedUnchanged && file.equals(file.mac().map(checked.get().machines()::get)
                    .orElse(checked.get().defaultMachine().orElse(null)))) {
                continue;
            }
            try {
                BootPlan plan = Plans.plan(config, file, Machine.of(file.mac().orElse(EXAMPLE_MAC), Firmware.BIOS), false,
                        checking);
                MachineConfig c = config.resolve(file);
                if (c.kickstart() != null) {
                    InstallFiles.render(config, c, plan, c.kickstart());
                }
                if (c.files() != null) {
                    c.files().values().forEach(t -> InstallFiles.render(config, c, plan, t));
                }
            } catch (BootPlanException e) {
                errors.add(e.error());
            }
        }
        return List.copyOf(errors);
    }
}
