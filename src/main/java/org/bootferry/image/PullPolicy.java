package org.bootferry.image;

import java.util.Locale;

/**
 * When to ask the registry, with Kubernetes/KubeVirt's meaning of {@code imagePullPolicy}.
 */
public enum PullPolicy {
    /** Resolve the tag again on every boot, so a pushed image is booted on the next restart. */
    ALWAYS("Always"),
    /** Use the cached resolution and files when present; pull otherwise. */
    IF_NOT_PRESENT("IfNotPresent"),
    /** Never contact the registry; fail when not cached. */
    NEVER("Never");

    private final String id;

    PullPolicy(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Accepts KubeVirt's spelling ({@code IfNotPresent}) in any case, and {@code if-not-present}. */
    public static PullPolicy parse(String text) {
        String t = text.trim().replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
        for (PullPolicy p : values()) {
            if (p.id.toLowerCase(Locale.ROOT).equals(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException("imagePullPolicy '" + text + "' is not Always, IfNotPresent or Never");
    }

    /** Kubernetes' default: Always for {@code :latest} (or no tag), IfNotPresent otherwise. */
    public static PullPolicy defaultFor(ImageReference reference) {
        return reference.digest() == null && "latest".equals(reference.tag()) ? ALWAYS : IF_NOT_PRESENT;
    }

    @Override
    public String toString() {
        return id;
    }
}
