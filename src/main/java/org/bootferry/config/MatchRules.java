package org.bootferry.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;

/**
 * The match files of a snapshot: which one a MAC without a file of its own gets. The most specific
 * entry wins (a whole MAC over a five-octet prefix over … over an OUI), and for one entry a file
 * whose {@code match.arch} is the asking firmware's loader id over one without {@code arch}; a
 * MAC's own file wins over them all. Entries are prefixes ({@link MacPattern}), so two files can
 * tie for one MAC only by having the same entry and the same arch: that is an error naming both,
 * and the file read later is left out.
 *
 * <p>A request that does not say its firmware (a kickstart, an install file, explain, discovery)
 * gets, at the most specific entry, the file without {@code arch}, else the first by loader id
 * ({@link Firmware#loaderIds()}).
 */
public final class MatchRules {

    /** No match files. */
    public static final MatchRules NONE = new MatchRules(List.of());

    /** @param arch a loader id, or "" for an entry that serves every firmware */
    private record Entry(MacPattern pattern, String arch, MachineFile file) {
        String key() {
            return key(pattern.toString(), arch);
        }

        static String key(String pattern, String arch) {
            return pattern + " " + arch;
        }

        String describe() {
            return pattern + (arch.isEmpty() ? "" : " (arch " + arch + ")");
        }
    }

    /**
     * Each entry's file by the entry as written canonically ({@link MacPattern#toString}) and its
     * arch: a dozen lookups at most answer a MAC.
     */
    private final Map<String, MachineFile> byPattern;

    private MatchRules(List<Entry> entries) {
        Map<String, MachineFile> map = new HashMap<>();
        entries.forEach(e -> map.put(e.key(), e.file()));
        this.byPattern = Map.copyOf(map);
    }

    /**
     * @param files  the match files, in file name order (their checks passed: every entry parses)
     * @param errors told of each tie, on the later file
     */
    static MatchRules of(List<MachineFile> files, Consumer<ConfigError> errors) {
        List<Entry> entries = new ArrayList<>();
        for (MachineFile file : files) {
            List<Entry> own = new ArrayList<>();
            Optional<ConfigError> tie = Optional.empty();
            String arch = file.config().match().arch() == null ? "" : file.config().match().arch();
            for (String text : file.config().match().macs()) {
                Entry entry = new Entry(MacPattern.parse(text), arch, file);
                Optional<Entry> same = entries.stream().filter(e -> e.key().equals(entry.key())).findFirst();
                if (same.isPresent()) {
                    tie = Optional.of(new ConfigError(file.file(), YamlFiles.lineOf(file.file(), "macs"), "match: "
                            + entry.describe() + " is also in " + same.get().file().file() + ": a MAC it matches would"
                            + " have two files of the same specificity; keep it in one of them"));
                    break;
                }
                own.add(entry);
            }
            tie.ifPresentOrElse(errors, () -> entries.addAll(own));
        }
        return new MatchRules(entries);
    }

    /**
     * The match file for {@code mac} booting with {@code firmware} (empty: a request that does not say
     * it): the one with its most specific entry, the whole MAC first, and for one entry the file of
     * the firmware's arch first.
     */
    public Optional<MachineFile> match(MacAddress mac, Optional<Firmware> firmware) {
        if (byPattern.isEmpty()) {
            return Optional.empty();
        }
        List<String> arches = firmware.map(f -> List.of(f.loaderFirmware().id(), ""))
                .orElseGet(() -> java.util.stream.Stream.concat(java.util.stream.Stream.of(""),
                        Firmware.loaderIds().stream()).toList());
        String m = mac.toString();
        for (int octets = 6; octets >= 1; octets--) {
            String pattern = octets == 6 ? m : m.substring(0, octets * 3 - 1) + ":*";
            for (String arch : arches) {
                MachineFile file = byPattern.get(Entry.key(pattern, arch));
                if (file != null) {
                    return Optional.of(file);
                }
            }
        }
        return Optional.empty();
    }

    /** Every match file in force, once each, in file name order. */
    public List<MachineFile> files() {
        return byPattern.values().stream().distinct().sorted(Comparator.comparing(MachineFile::file)).toList();
    }
}
