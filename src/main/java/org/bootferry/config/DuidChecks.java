package org.bootferry.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The machine files' {@code duid:}: the DHCPv6 client DUID (RFC 8415 §11) that names a machine whose
 * MAC its DHCPv6 messages do not show (a DUID-UUID or DUID-EN from a privacy or stable-privacy
 * address). Written in hex as {@code explain} and the log print it (colons, dashes and spaces between
 * bytes allowed); one file per DUID, so two files naming one are both in error, and neither a profile
 * nor default.yaml may name one, since they answer many machines.
 */
public final class DuidChecks {

    /** RFC 8415 §11.1: a 2-byte type and 1 to 128 bytes of identifier. */
    private static final int MIN_BYTES = 3;
    private static final int MAX_BYTES = 130;

    private DuidChecks() {
    }

    /** The DUID as lowercase hex without separators, or empty when it is not one. */
    public static Optional<String> normalized(String written) {
        String hex = written.replaceAll("[:\\-\\s]", "").toLowerCase(Locale.ROOT);
        if (hex.length() % 2 != 0 || hex.length() < 2 * MIN_BYTES || hex.length() > 2 * MAX_BYTES
                || !hex.matches("[0-9a-f]+")) {
            return Optional.empty();
        }
        return Optional.of(hex);
    }

    /** What is wrong with a file's {@code duid:} on its own, if anything. */
    static Optional<String> syntax(String written) {
        if (normalized(written).isPresent()) {
            return Optional.empty();
        }
        return Optional.of("duid: '" + written + "' is not a DUID in hex: " + MIN_BYTES + " to " + MAX_BYTES
                + " bytes, a 2-byte type first (RFC 8415 §11.1), e.g. 0004123456789abcdef00123456789abcdef as the"
                + " log prints an unidentified client's");
    }

    /** Every duplicate or misplaced {@code duid:} of the snapshot; a duplicate is reported on each file. */
    public static List<ConfigError> check(ConfigSnapshot snapshot) {
        List<ConfigError> errors = new ArrayList<>();
        snapshot.defaultMachine().filter(f -> f.config().duid() != null).ifPresent(f -> errors.add(at(f.file(),
                "duid: default.yaml answers every unknown machine; name the DUID in the machine's own file")));
        snapshot.profiles().values().stream().filter(p -> p.config().duid() != null).forEach(p -> errors.add(
                at(p.file(), "duid: a profile is shared by many machines; name the DUID in the machine's own file")));
        Map<String, List<MachineFile>> byDuid = new LinkedHashMap<>();
        List<MachineFile> files = new ArrayList<>(snapshot.machines().values());
        files.sort(Comparator.comparing(MachineFile::file));
        for (MachineFile f : files) {
            Optional.ofNullable(f.config().duid()).flatMap(DuidChecks::normalized)
                    .ifPresent(hex -> byDuid.computeIfAbsent(hex, k -> new ArrayList<>()).add(f));
        }
        byDuid.forEach((hex, named) -> {
            if (named.size() > 1) {
                for (MachineFile f : named) {
                    List<String> others = named.stream().filter(o -> o != f).map(o -> o.file().getFileName().toString())
                            .toList();
                    errors.add(at(f.file(), "duid: " + hex + " is named by " + String.join(", ", others)
                            + " too; one DUID names one machine"));
                }
            }
        });
        return errors;
    }

    private static ConfigError at(Path file, String message) {
        return new ConfigError(file, YamlFiles.lineOf(file, "duid"), message);
    }
}
