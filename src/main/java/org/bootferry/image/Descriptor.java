package org.bootferry.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A pointer to content (OCI image-spec descriptor.md): media type, digest, size, and in an index the
 * platform it is for.
 */
public record Descriptor(String mediaType, Digest digest, long size, Optional<Platform> platform) {

    static Descriptor parse(JsonNode node, String where) throws UnsupportedManifestException {
        Digest digest = Digest.parseOrNull(node.path("digest").asText(null));
        if (digest == null) {
            throw new UnsupportedManifestException(where + ": descriptor without a sha256 digest: " + node);
        }
        long size = node.path("size").asLong(-1);
        if (size < 0) {
            throw new UnsupportedManifestException(where + ": descriptor " + digest + " has no size");
        }
        JsonNode p = node.path("platform");
        Optional<Platform> platform = p.isObject()
                ? Optional.of(new Platform(p.path("os").asText(""), p.path("architecture").asText(""),
                        p.path("variant").asText("")))
                : Optional.empty();
        return new Descriptor(node.path("mediaType").asText(""), digest, size, platform);
    }
}
