package org.bootferry.packaging;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes objects read as the API server's own types: fabric8's model, generated from
 * Kubernetes' OpenAPI schema. Its classes keep fields they don't know in an "additional
 * properties" map; here that catch-all is taken away, so a misspelt or misplaced field (which a
 * real API server would reject, or drop while the pod runs without it) fails the read, naming it.
 */
final class KubernetesTypes {

    /** The kinds deploy/kubernetes and the README's commands make, by apiVersion and kind. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "apps/v1/DaemonSet", DaemonSet.class);

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .registerModule(new SimpleModule("no-additional-properties").setDeserializerModifier(
                    new BeanDeserializerModifier() {
                        @Override
                        public BeanDeserializerBuilder updateBuilder(DeserializationConfig config,
                                BeanDescription description, BeanDeserializerBuilder builder) {
                            builder.setAnySetter(null);
                            return builder;
                        }
                    }));

    private KubernetesTypes() {
    }

    /** The documents of a multi-document YAML stream, as kubectl prints them. */
    static List<JsonNode> documents(String yaml) {
        try {
            return YAML.readValues(YAML.createParser(yaml), JsonNode.class).readAll().stream()
                    .filter(d -> d != null && !d.isNull() && !d.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String kind(JsonNode object) {
        return object.path("apiVersion").asText() + "/" + object.path("kind").asText();
    }

    static boolean known(JsonNode object) {
        return KINDS.containsKey(kind(object));
    }

    /** The object as its type; an AssertionError naming the field when it is not one. */
    static HasMetadata read(JsonNode object) {
        Class<? extends HasMetadata> type = KINDS.get(kind(object));
        if (type == null) {
            throw new AssertionError("no Kubernetes type here for " + kind(object));
        }
        return read(object, type);
    }

    static <T extends HasMetadata> T read(JsonNode object, Class<T> type) {
        String name = kind(object) + " " + object.path("metadata").path("name").asText();
        String expected = HasMetadata.getApiVersion(type) + "/" + HasMetadata.getKind(type);
        if (!kind(object).equals(expected)) {
            throw new AssertionError(name + " is not a " + expected);
        }
        try {
            return STRICT.treeToValue(object, type);
        } catch (IOException e) {
            throw new AssertionError(name + ": " + e.getMessage(), e);
        }
    }
}
