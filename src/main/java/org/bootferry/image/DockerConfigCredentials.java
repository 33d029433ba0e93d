package org.bootferry.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from a docker {@code config.json} (also a Kubernetes {@code .dockerconfigjson} secret,
 * and the older {@code .dockercfg} form without the {@code auths} wrapper). Each entry is
 * {@code auth} (base64 {@code user:password}) or {@code username}/{@code password}. Keys are matched
 * the way docker's {@code registry.ConvertToHostname} does: scheme and path dropped, so
 * {@code https://registry.example.org/v1/} matches {@code registry.example.org}; Docker Hub answers
 * to {@code https://index.docker.io/v1/}, {@code index.docker.io} and {@code docker.io}.
 * Credential helpers ({@code credsStore}, {@code credHelpers}) run programs and are not supported.
 */
public final class DockerConfigCredentials {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Credentials> byHost;

    private DockerConfigCredentials(Map<String, Credentials> byHost) {
        this.byHost = byHost;
    }

    public static DockerConfigCredentials empty() {
        return new DockerConfigCredentials(Map.of());
    }

    public static DockerConfigCredentials load(Path file) throws IOException {
        return parse(java.nio.file.Files.readAllBytes(file), file.toString());
    }

    /** @param source named in errors and in {@link Credentials#source()}, e.g. the secret's file name */
    public static DockerConfigCredentials parse(byte[] json, String source) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the text it stopped at: here that is a password. The cause
            // is not kept either, as whoever logs this one would print its message too.
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new IOException(source + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
                    + ": not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IOException(source + ": expected a JSON object like {\"auths\": {\"registry\": {\"auth\": \"…\"}}}");
        }
        JsonNode auths = root.has("auths") ? root.get("auths") : root;
        Map<String, Credentials> byHost = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : auths.properties()) {
            if (!e.getValue().isObject()) {
                continue;
            }
            String where = source + " (" + e.getKey() + ")";
            Credentials c = entry(e.getValue(), where);
            if (c != null) {
                byHost.putIfAbsent(hostname(e.getKey()), c);
            }
        }
        return new DockerConfigCredentials(byHost);
    }

    private static Credentials entry(JsonNode node, String where) throws IOException {
        String user = node.path("username").asText("");
        String password = node.path("password").asText("");
        String auth = node.path("auth").asText("");
        if (!auth.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": 'auth' is not base64 of user:password"); // e names a character of it
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new IOException(where + ": 'auth' decodes to no user:password pair");
            }
            user = decoded.substring(0, colon);
            password = decoded.substring(colon + 1);
        }
        return user.isEmpty() ? null : new Credentials(user, password, where);
    }

    /** docker's ConvertToHostname, plus Docker Hub's aliases folded to one name. */
    static String hostname(String key) {
        String h = key.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("http://")) {
            h = h.substring(7);
        } else if (h.startsWith("https://")) {
            h = h.substring(8);
        }
        int slash = h.indexOf('/');
        if (slash >= 0) {
            h = h.substring(0, slash);
        }
        return switch (h) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> ImageReference.DOCKER_HUB;
            default -> h;
        };
    }

    public Optional<Credentials> forRegistry(String registry) {
        return Optional.ofNullable(byHost.get(hostname(registry)));
    }
}
