package org.bootferry.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.bootferry.lang.AtomicFile;
import org.bootferry.lang.Spelling;
import org.bootferry.machine.MacAddress;

/**
 * Adopting a discovered machine: its machine file, {@code machines/<mac>.yaml}, written whole and
 * atomically ({@link AtomicFile}: under a dot name the loader skips, then renamed), so the live
 * reload never reads half of it and picks it up like an admin's edit. The same text, with the
 * profile left to choose, is what the status page offers to copy.
 */
public final class Adoption {

    /** A host name as RFC 1123 §2.1 allows one: dot-separated labels of letters, digits and inner hyphens. */
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    /** Why a machine can't be adopted as asked: a message for the admin. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    private Adoption() {
    }

    /** Where the machine's own file is, in the config directory of {@code snapshot}. */
    public static Path fileOf(ConfigSnapshot snapshot, MacAddress mac) {
        return snapshot.dir().resolve("machines").resolve(mac.dashed() + ".yaml");
    }

    /**
     * Writes the machine file that gives {@code mac} the profile, after checking against the config
     * in force that the profile exists and that no file names the MAC yet.
     *
     * @return the file written
     * @throws Refused when the profile is unknown, the host name malformed, or the MAC has a file
     */
    public static Path adopt(ConfigSnapshot snapshot, MacAddress mac, String profile, Optional<String> hostname)
            throws Refused, IOException {
        if (!snapshot.profiles().containsKey(profile)) {
            throw new Refused(snapshot.profiles().isEmpty()
                    ? "no profile '" + profile + "': " + snapshot.dir().resolve("profiles") + " has none yet; write one first"
                    : "no profile '" + profile + "'" + Spelling.didYouMean(profile, snapshot.profiles().keySet())
                            + "; profiles: " + String.join(", ", new TreeSet<>(snapshot.profiles().keySet())));
        }
        if (hostname.isPresent() && !HOSTNAME.matcher(hostname.get()).matches()) {
            throw new Refused("'" + hostname.get() + "' is not a host name (RFC 1123: letters, digits, inner"
                    + " hyphens, dot-separated labels of at most 63 characters)");
        }
        Path file = fileOf(snapshot, mac);
        if (snapshot.configured(mac)) {
            Path has = snapshot.machine(mac).orElseThrow().file();
            throw new Refused(mac + (has.equals(file) ? " already has " + has + ": edit that file instead"
                    : " is already served by " + has + " (match:): give it a file of its own by hand if it needs one"));
        }
        if (Files.exists(file)) {
            throw new Refused(file + " exists (with an error, so not in force): fix or remove it first");
        }
        Files.createDirectories(file.getParent());
        AtomicFile.write(file, machineFile(mac, profile, hostname).getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /**
     * The profile a ready-to-copy machine file names: the first by name, for the admin to change;
     * empty when the config has none, and a machine can't be adopted yet.
     */
    public static Optional<String> suggestedProfile(ConfigSnapshot snapshot) {
        return snapshot.profiles().keySet().stream().sorted().findFirst();
    }

    /** The text of a machine file that boots {@code mac} with {@code profile}. */
    public static String machineFile(MacAddress mac, String profile, Optional<String> hostname) {
        StringBuilder yaml = new StringBuilder("# ").append(mac).append(", adopted by bootferry\n");
        hostname.ifPresent(h -> yaml.append("hostname: ").append(h).append('\n'));
        return yaml.append("profile: ").append(profile).append('\n').toString();
    }
}
