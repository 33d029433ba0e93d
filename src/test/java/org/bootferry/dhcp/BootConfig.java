package org.bootferry.dhcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bootferry.boot.BootPlanner;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.machine.MacAddress;

/** A real config directory for the ProxyDHCP tests: server.yaml plus one machine file per MAC given. */
final class BootConfig {

    private BootConfig() {
    }

    static BootPlanner planner(Path dir, String advertise, MacAddress... machines) {
        return withServerYaml(dir, "bind: 0.0.0.0\nadvertise: " + advertise + "\nhttpPort: 8080\n", machines);
    }

    /** A config with no advertise address: each client is told the address its request came in on. */
    static BootPlanner plannerWithoutAdvertise(Path dir, MacAddress... machines) {
        return withServerYaml(dir, "bind: 0.0.0.0\nhttpPort: 8080\n", machines);
    }

    private static BootPlanner withServerYaml(Path dir, String serverYaml, MacAddress... machines) {
        try {
            Files.createDirectories(dir.resolve("machines"));
            Files.writeString(dir.resolve("vmlinuz"), "kernel");
            Files.writeString(dir.resolve("initrd.img"), "initrd");
            Files.writeString(dir.resolve("server.yaml"), serverYaml);
            for (MacAddress mac : machines) {
                Files.writeString(dir.resolve("machines").resolve(mac.dashed() + ".yaml"), """
                        hostname: node-%s
                        kernelBoot:
                          files: {kernel: %s, initrd: [%s]}
                          kernelArgs: "console=ttyS0"
                        """.formatted(mac.dashed(), dir.resolve("vmlinuz"), dir.resolve("initrd.img")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ConfigSnapshot snapshot = ConfigLoader.load(dir).requireValid();
        return new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));
    }
}
