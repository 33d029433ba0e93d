package org.bootferry.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;

/**
 * Everything in the config directory at one moment, immutable. Files with errors are left out and
 * their errors listed; a server is never given a half-read file.
 *
 * @param machines  each MAC's own file ({@code machines/<mac>.yaml})
 * @param rules     the match files ({@code match: {macs: […]}}), for MACs without a file of their own
 * @param templates template name (file name under {@code templates/}) to its text
 * @param errors    what kept files out, and edits of {@link RestartKeys} that wait for the next start:
 *                  everything an admin has to act on, in one list
 * @param warnings  what loaded but may not boot as its file says (a VM spec's field bootferry can't honour)
 */
public record ConfigSnapshot(
        Path dir,
        ServerSettings settings,
        Map<MacAddress, MachineFile> machines,
        MatchRules rules,
        Optional<MachineFile> defaultMachine,
        Map<String, ProfileFile> profiles,
        Map<String, String> templates,
        List<ConfigError> errors,
        List<ConfigError> warnings) {

    public ConfigSnapshot {
        machines = Map.copyOf(machines);
        profiles = Map.copyOf(profiles);
        templates = Map.copyOf(templates);
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
    }

    /** A profile file: {@code profiles/<name>.yaml}. */
    public record ProfileFile(Path file, String name, MachineConfig config) {
    }

    public ConfigSnapshot withSettings(ServerSettings newSettings) {
        return new ConfigSnapshot(dir, newSettings, machines, rules, defaultMachine, profiles, templates, errors, warnings);
    }

    /**
     * The file of the machine booting with {@code firmware}: its own, else the match file with its
     * most specific entry for that firmware ({@link MatchRules}), else {@code default.yaml} for an
     * unknown MAC.
     */
    public Optional<MachineFile> machine(MacAddress mac, Firmware firmware) {
        return machine(mac, Optional.of(firmware));
    }

    /** The machine's file for a request that does not say its firmware (a kickstart, explain): see {@link MatchRules}. */
    public Optional<MachineFile> machine(MacAddress mac) {
        return machine(mac, Optional.empty());
    }

    private Optional<MachineFile> machine(MacAddress mac, Optional<Firmware> firmware) {
        MachineFile own = machines.get(mac);
        if (own != null) {
            return Optional.of(own);
        }
        Optional<MachineFile> matched = rules.match(mac, firmware);
        return matched.isPresent() ? matched : defaultMachine;
    }

    /**
     * Whether a machine file names this MAC, its own or a match file (for any firmware);
     * {@code default.yaml} names none.
     */
    public boolean configured(MacAddress mac) {
        return machines.containsKey(mac) || rules.match(mac, Optional.empty()).isPresent();
    }

    /** Throws with every error listed when there is any. */
    public ConfigSnapshot requireValid() {
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return this;
    }
}
