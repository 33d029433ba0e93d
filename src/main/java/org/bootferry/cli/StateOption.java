package org.bootferry.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --state DIR}, shared by every command that reads or writes boot-once state. */
final class StateOption {

    @Option(names = "--state", paramLabel = "DIR",
            description = "State directory: boot-once state, event journal (default: $BOOTFERRY_STATE, server.yaml's"
                    + " state:, or state/ beside the config dir).")
    Path dir;

    /** As a server.yaml key, which it overrides like every flag. */
    Map<String, Object> overrides() {
        return dir == null ? Map.of() : Map.of("state", dir.toAbsolutePath().toString());
    }
}
