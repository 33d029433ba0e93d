package org.bootferry.image;

import java.util.Locale;

/**
 * An image platform (OCI image-spec image-index.md, "platform"): os, CPU architecture in Go's GOARCH
 * names ({@code amd64}, {@code arm64}) and an optional variant ({@code v8}). Chosen from the firmware
 * of the machine being booted, never from the server's own CPU.
 */
public record Platform(String os, String architecture, String variant) {

    public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", "");

    public Platform {
        os = os.toLowerCase(Locale.ROOT);
        architecture = architecture.toLowerCase(Locale.ROOT);
        variant = variant == null ? "" : variant.toLowerCase(Locale.ROOT);
    }

    /** {@code linux/arm64}, {@code linux/arm/v7}, or a bare architecture ({@code arm64}, os linux). */
    public static Platform parse(String text) {
        String[] parts = text.trim().split("/", -1);
        if (parts.length == 1 && !parts[0].isEmpty()) {
            return new Platform("linux", parts[0], "");
        }
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IllegalArgumentException("platform '" + text + "' is not os/arch[/variant], e.g. linux/arm64");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
    }

    /**
     * Whether an index entry or image config with these values can run here. An empty variant on
     * either side matches any: arm64 images rarely say {@code v8} and a request rarely asks for one.
     */
    public boolean matches(String os, String architecture, String variant) {
        return this.os.equalsIgnoreCase(os) && this.architecture.equalsIgnoreCase(architecture)
                && (this.variant.isEmpty() || variant == null || variant.isEmpty()
                        || this.variant.equalsIgnoreCase(variant));
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}
