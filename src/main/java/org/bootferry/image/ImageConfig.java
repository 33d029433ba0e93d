package org.bootferry.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The parts of an image config blob (OCI image-spec config.md) that booting needs: platform and labels. */
public record ImageConfig(String os, String architecture, String variant, Map<String, String> labels) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static ImageConfig parse(byte[] body, String where) throws UnsupportedManifestException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new UnsupportedManifestException(where + ": image config is not JSON (" + e.getMessage() + ")");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.path("config").path("Labels").properties()) {
            labels.put(e.getKey(), e.getValue().asText());
        }
        return new ImageConfig(root.path("os").asText(""), root.path("architecture").asText(""),
                root.path("variant").asText(""), Map.copyOf(labels));
    }
}
