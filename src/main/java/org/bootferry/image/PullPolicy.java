package org.bootferry.image;

import java.util.Arrays;
import java.util.List;
import org.bootferry.lang.Spelling;

/**
 * When to ask the registry, with Kubernetes/KubeVirt's meaning of {@code imagePullPolicy}. Spelt
 * exactly as there ({@code IfNotPresent}, case-sensitive), so a machine file means the same to
 * bootferry as to a cluster; a near miss is named with the spelling meant.
 */
public enum PullPolicy {
    /** Resolve the tag again on every boot, so a pushed image is booted on the next restart. */
    ALWAYS("Always"),
    /** Use the cached resolution and files when present; pull otherwise. */
    IF_NOT_PRESENT("IfNotPresent"),
    /** Never contact the registry; fail when not cached. */
    NEVER("Never");

    private static final List<String> IDS = Arrays.stream(values()).map(PullPolicy::id).toList();

    private final String id;

    PullPolicy(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /**
     * The policy spelt {@code text} exactly as Kubernetes does.
     *
     * @param key the key that wrote it ({@code imagePullPolicy}, {@code locationPullPolicy}), for the error
     * @throws IllegalArgumentException naming the three spellings, and the one meant when near
     */
    public static PullPolicy parse(String key, String text) {
        for (PullPolicy p : values()) {
            if (p.id.equals(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException(key + " '" + text + "' is not Always, IfNotPresent or Never"
                + Spelling.didYouMean(String.valueOf(text), IDS));
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
