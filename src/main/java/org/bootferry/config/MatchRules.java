package org.bootferry.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.bootferry.machine.MacAddress;

/**
 * The match files of a snapshot: which one a MAC without a file of its own gets. The most specific
 * entry wins (a whole MAC over a five-octet prefix over … over an OUI); a MAC's own file wins over
 * them all. Entries are prefixes ({@link MacPattern}), so two files can tie for one MAC only by
 * having the same entry: that is an error naming both, and the file read later is left out.
 */
public final class MatchRules {

    /** No match files. */
    public static final MatchRules NONE = new MatchRules(List.of());

    private record Entry(MacPattern pattern, MachineFile file) {
    }

    /** Each entry's file by the entry as written canonically ({@link MacPattern#toString}): six lookups answer a MAC. */
    private final Map<String, MachineFile> byPattern;

    private MatchRules(List<Entry> entries) {
        Map<String, MachineFile> map = new HashMap<>();
        entries.forEach(e -> map.put(e.pattern().toString(), e.file()));
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
            for (String text : file.config().match().macs()) {
                MacPattern pattern = MacPattern.parse(text);
                Optional<Entry> same = entries.stream().filter(e -> e.pattern().equals(pattern)).findFirst();
                if (same.isPresent()) {
                    tie = Optional.of(new ConfigError(file.file(), YamlFiles.lineOf(file.file(), "macs"), "match: "
                            + pattern + " is also in " + same.get().file().file() + ": a MAC it matches would have two"
                            + " files of the same specificity; keep it in one of them"));
                    break;
                }
                own.add(new Entry(pattern, file));
            }
            tie.ifPresentOrElse(errors, () -> entries.addAll(own));
        }
        return new MatchRules(entries);
    }

    /** The match file for {@code mac}: the one with its most specific entry, the whole MAC first. */
    public Optional<MachineFile> match(MacAddress mac) {
        if (byPattern.isEmpty()) {
            return Optional.empty();
        }
        String m = mac.toString();
        for (int octets = 6; octets >= 1; octets--) {
            MachineFile file = byPattern.get(octets == 6 ? m : m.substring(0, octets * 3 - 1) + ":*");
            if (file != null) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    /** Every match file in force, once each, in file name order. */
    public List<MachineFile> files() {
        return byPattern.values().stream().distinct().sorted(Comparator.comparing(MachineFile::file)).toList();
    }
}
