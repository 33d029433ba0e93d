package org.bootferry.dhcp6;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bootferry.boot.BootPlanner;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.machine.MacAddress;

/** A real config directory for the DHCPv6 tests: server.yaml and one machine file with a kernel. */
final class BootConfig6 {

    /** The machine of the captures (reference/ipv6): QEMU's virtio-net. */
    static final MacAddress VM = MacAddress.parse("52:54:00:12:34:56");

    private BootConfig6() {
    }

    /** @param extra more lines of VM's machine file, e.g. {@code duid: …} */
    static BootPlanner planner(Path dir, String extra) {
        try {
            Files.createDirectories(dir.resolve("machines"));
            Files.writeString(dir.resolve("vmlinuz"), "kernel");
            Files.writeString(dir.resolve("server.yaml"), "bind: 0.0.0.0\nhttpPort: 8080\n");
            Files.writeString(dir.resolve("machines").resolve(VM.dashed() + ".yaml"), """
                    kernelBoot:
                      files: {kernel: %s}
                    """.formatted(dir.resolve("vmlinuz")) + extra);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ConfigSnapshot snapshot = ConfigLoader.load(dir).requireValid();
        return new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));
    }
}
