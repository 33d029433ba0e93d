package org.bootferry.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What one load has found so far, handed to every check instead of kept in the loader's fields: a
 * loader outlives its loads, and state left over from the previous one would leak into the next.
 * Each machine file is read with a context of its own ({@link #forFile()}), so its errors stay
 * with it when later loads read that file alone.
 */
final class LoadContext {

    private final List<ConfigError> errors = new ArrayList<>();
    private final List<ConfigError> warnings = new ArrayList<>();
    /** Profiles that had errors in this load: a machine naming one is told so, not "not found". */
    private final Set<String> brokenProfiles;

    LoadContext(Set<String> brokenProfiles) {
        this.brokenProfiles = brokenProfiles;
    }

    /** A context for one file, with this one's broken profiles and no errors yet. */
    LoadContext forFile() {
        return new LoadContext(brokenProfiles);
    }

    void error(ConfigError error) {
        errors.add(error);
    }

    void error(Path file, int line, String message) {
        errors.add(new ConfigError(file, line, message));
    }

    /** Something that loads but may not boot as written: validate prints it, nothing is left out for it. */
    void warning(ConfigError warning) {
        warnings.add(warning);
    }

    List<ConfigError> warnings() {
        return List.copyOf(warnings);
    }

    /** How many errors were found so far: a check compares it before and after to see whether it found any. */
    int count() {
        return errors.size();
    }

    List<ConfigError> errors() {
        return List.copyOf(errors);
    }

    void profileBroken(String name) {
        brokenProfiles.add(name);
    }

    Set<String> brokenProfiles() {
        return Set.copyOf(brokenProfiles);
    }

    boolean isProfileBroken(String name) {
        return brokenProfiles.contains(name);
    }
}
