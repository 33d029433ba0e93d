package org.bootferry.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * Reads and checks the {@code dhcp6:} section of server.yaml. Each error is reported on the line of
 * its key and the section's default stands in for the value in error.
 */
final class Dhcp6Section {

    /** Reports an error on the line of the key, e.g. {@code ("port", "dhcp6.port: …")}. */
    private final BiConsumer<String, String> errorAt;

    private Dhcp6Section(BiConsumer<String, String> errorAt) {
        this.errorAt = errorAt;
    }

    static ServerSettings.Dhcp6 read(ServerFile.Dhcp6File f, BiConsumer<String, String> errorAt) {
        return new Dhcp6Section(errorAt).read(f);
    }

    private ServerSettings.Dhcp6 read(ServerFile.Dhcp6File f) {
        ServerSettings.Dhcp6 d = ServerSettings.Dhcp6.OFF;
        if (f == null) {
            return d;
        }
        ServerSettings.Dhcp6.Mode mode = ServerSettings.Dhcp6.Mode.OFF;
        if (f.mode() != null) {
            switch (f.mode().toLowerCase(Locale.ROOT)) {
                case "off" -> mode = ServerSettings.Dhcp6.Mode.OFF;
                case "boot-only" -> mode = ServerSettings.Dhcp6.Mode.BOOT_ONLY;
                default -> errorAt.accept("mode", "dhcp6.mode: '" + f.mode() + "' is neither boot-only (answer boot"
                        + " clients with boot options beside the site's DHCPv6 server) nor off");
            }
        }
        List<String> interfaces = new ArrayList<>();
        for (String name : f.interfaces() == null ? List.<String>of() : f.interfaces()) {
            if (name == null || name.isBlank() || name.length() > 15 || name.contains("/")) {
                errorAt.accept("interfaces", "dhcp6.interfaces: '" + name + "' is not an interface name (1-15"
                        + " characters, no '/')");
            } else if (interfaces.contains(name)) {
                errorAt.accept("interfaces", "dhcp6.interfaces: " + name + " is named twice");
            } else {
                interfaces.add(name);
            }
        }
        return new ServerSettings.Dhcp6(mode, interfaces, port("port", f.port(), d.port()),
                port("pxePort", f.pxePort(), d.pxePort()));
    }

    private int port(String key, Integer value, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value < 0 || value > 65535) {
            errorAt.accept(key, "dhcp6." + key + ": " + value + " is not a port (1-65535, or 0 for any free port)");
            return fallback;
        }
        return value;
    }
}
