package org.bootferry.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a registry returns for {@code GET /v2/<name>/manifests/<ref>}: an image manifest (OCI
 * image-spec manifest.md, Docker "Image Manifest V2, Schema 2") or an index of per-platform
 * manifests (OCI image-index.md, Docker "manifest list"). Docker schema 1 is refused: its digests
 * are not content digests of what we pull and it carries no platform data worth trusting.
 */
public sealed interface Manifest {

    String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** Sent as Accept on every manifest request: registries answer 404 (OCI) or downgrade to schema 1 (Docker) otherwise. */
    String ACCEPT = String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);

    String mediaType();

    /** An image: a config blob and its layers, bottom first. */
    record Image(String mediaType, Descriptor config, List<Descriptor> layers) implements Manifest {
    }

    /** One manifest per platform. */
    record Index(String mediaType, List<Descriptor> manifests) implements Manifest {

        /** The entry for the platform: an exact variant match first, then any entry of that os/arch. */
        Descriptor forPlatform(ImageReference ref, Platform platform) throws PlatformNotFoundException {
            Descriptor any = null;
            for (Descriptor d : manifests) {
                Optional<Platform> p = d.platform();
                if (p.isEmpty() || !platform.matches(p.get().os(), p.get().architecture(), p.get().variant())) {
                    continue;
                }
                if (p.get().variant().equals(platform.variant())) {
                    return d;
                }
                if (any == null) {
                    any = d;
                }
            }
            if (any == null) {
                Set<String> available = new LinkedHashSet<>();
                manifests.forEach(d -> d.platform().ifPresent(p -> available.add(p.toString())));
                throw new PlatformNotFoundException(ref, platform, String.join(", ", available));
            }
            return any;
        }
    }

    ObjectMapper JSON = new ObjectMapper();

    /**
     * Parses a manifest body. The registry's Content-Type decides (the spec says to trust it); a
     * missing or generic one falls back to the body's own {@code mediaType}, then to its shape.
     */
    static Manifest parse(String contentType, byte[] body, String where) throws UnsupportedManifestException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new UnsupportedManifestException(where + ": manifest is not JSON (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new UnsupportedManifestException(where + ": manifest is not a JSON object");
        }
        String type = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (type.isEmpty() || type.equals("application/json") || type.equals("text/plain")) {
            type = root.path("mediaType").asText("");
        }
        if (type.startsWith("application/vnd.docker.distribution.manifest.v1") || root.path("schemaVersion").asInt() == 1) {
            throw new UnsupportedManifestException(where + " is a Docker schema 1 manifest, which bootferry refuses "
                    + "(no content digests, deprecated since 2017): push it again with a current tool, e.g. "
                    + "'skopeo copy --format v2s2' or 'docker push'");
        }
        if (type.isEmpty()) {
            type = root.has("manifests") ? OCI_INDEX : root.has("layers") ? OCI_MANIFEST : "";
        }
        switch (type) {
            case OCI_MANIFEST, DOCKER_MANIFEST -> {
                Descriptor config = Descriptor.parse(root.path("config"), where);
                List<Descriptor> layers = new ArrayList<>();
                for (JsonNode layer : root.path("layers")) {
                    layers.add(Descriptor.parse(layer, where));
                }
                return new Image(type, config, List.copyOf(layers));
            }
            case OCI_INDEX, DOCKER_LIST -> {
                List<Descriptor> manifests = new ArrayList<>();
                for (JsonNode m : root.path("manifests")) {
                    manifests.add(Descriptor.parse(m, where));
                }
                return new Index(type, List.copyOf(manifests));
            }
            default -> throw new UnsupportedManifestException(where + " has media type '" + type
                    + "', which is not an image manifest or index (is it a Helm chart or another artifact?)");
        }
    }
}
