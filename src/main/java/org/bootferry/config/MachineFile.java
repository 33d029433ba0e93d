package org.bootferry.config;

import java.nio.file.Path;
import java.util.Optional;
import org.bootferry.machine.MacAddress;

/**
 * A machine file as loaded: where it is, whose it is, and what it says.
 *
 * @param mac empty for {@code machines/default.yaml}, which answers unknown MACs
 */
public record MachineFile(Path file, Optional<MacAddress> mac, MachineConfig config) {
}
