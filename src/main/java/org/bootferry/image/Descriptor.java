package org.bootferry.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A pointer to content (OCI image-spec descriptor.md): media type, digest, size, in an index the
 * platform it is for, and its annotations (a zstd:chunked layer's table of contents is found by them).
 */
public record Descriptor(String mediaType, Digest digest, long size, Optional<Platform> platform,
        Map<String, String> annotations) {

    public Descriptor {
        annotations = Map.copyOf(annotations);
    }

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
        Map<String, String> annotations = new LinkedHashMap<>();
        JsonNode a = node.path("annotations");
        if (!a.isMissingNode() && !a.isObject()) {
            throw new UnsupportedManifestException(where + ": descriptor " + digest + " has annotations that are not"
                    + " an object: " + a);
        }
        for (var field : (Iterable<Map.Entry<String, JsonNode>>) a::fields) {
            if (!field.getValue().isTextual()) {
                throw new UnsupportedManifestException(where + ": descriptor " + digest + " annotation "
                        + field.getKey() + " is not a string");
            }
            annotations.put(field.getKey(), field.getValue().asText());
        }
        return new Descriptor(node.path("mediaType").asText(""), digest, size, platform, annotations);
    }
}
