package org.bootferry.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a registry's 401 challenge into an Authorization header, and remembers it. Basic (RFC 7617)
 * is sent as is; Bearer follows the distribution token protocol (docs/spec/auth/token.md): GET the
 * challenge's realm with its service and a {@code repository:<name>:pull} scope, with Basic
 * credentials when we have some, and reuse the token for that repository until it expires.
 */
final class RegistryAuthenticator {

    /** The distribution token spec's default when a token server omits expires_in. */
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Grant(String header, Instant expires) {
    }

    /** A parsed WWW-Authenticate header (RFC 7235 §4.1): scheme and its auth-params. */
    record Challenge(String scheme, Map<String, String> params) {

        static Optional<Challenge> parse(String header) {
            if (header == null || header.isBlank()) {
                return Optional.empty();
            }
            String h = header.trim();
            int sp = h.indexOf(' ');
            String scheme = (sp < 0 ? h : h.substring(0, sp)).toLowerCase(Locale.ROOT);
            Map<String, String> params = new LinkedHashMap<>();
            int i = sp < 0 ? h.length() : sp + 1;
            while (i < h.length()) {
                while (i < h.length() && (h.charAt(i) == ',' || h.charAt(i) == ' ')) {
                    i++;
                }
                int eq = h.indexOf('=', i);
                if (eq < 0) {
                    break;
                }
                String key = h.substring(i, eq).trim().toLowerCase(Locale.ROOT);
                StringBuilder value = new StringBuilder();
                i = eq + 1;
                if (i < h.length() && h.charAt(i) == '"') {
                    // quoted-string (RFC 7230 §3.2.6): commas inside are part of the value (scopes have them)
                    for (i++; i < h.length() && h.charAt(i) != '"'; i++) {
                        if (h.charAt(i) == '\\' && i + 1 < h.length()) {
                            i++;
                        }
                        value.append(h.charAt(i));
                    }
                    i++;
                } else {
                    for (; i < h.length() && h.charAt(i) != ','; i++) {
                        value.append(h.charAt(i));
                    }
                }
                params.put(key, value.toString().trim());
            }
            return Optional.of(new Challenge(scheme, params));
        }
    }

    private final Duration connectTimeout;
    private final Duration timeout;
    private final Clock clock;
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();

    RegistryAuthenticator(Duration connectTimeout, Duration timeout, Clock clock) {
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** Grants are per user: a token one pull secret earned is never sent for another (or for none). */
    private static String key(String registry, String repository, Credentials credentials) {
        return registry + "/" + repository + "#" + (credentials == null ? "" : credentials.username());
    }

    private static String key(String registry, Credentials credentials) {
        return registry + "#" + (credentials == null ? "" : credentials.username());
    }

    /** The header to send up front, when an earlier challenge for this repository (or registry, for Basic) is still good. */
    Optional<String> cached(String registry, String repository, Credentials credentials) {
        Grant g = grants.get(key(registry, repository, credentials));
        if (g == null) {
            g = grants.get(key(registry, credentials));
        }
        return g != null && clock.instant().isBefore(g.expires()) ? Optional.of(g.header()) : Optional.empty();
    }

    /** Forgets what we sent, after the registry refused it (wrong password, revoked token). */
    void invalidate(String registry, String repository, Credentials credentials) {
        grants.remove(key(registry, repository, credentials));
        grants.remove(key(registry, credentials));
    }

    /**
     * Answers a challenge: returns the Authorization header to retry with.
     *
     * @param credentials null for anonymous access
     */
    String authorize(String registry, String repository, String wwwAuthenticate, Credentials credentials)
            throws ImageException, IOException {
        Challenge challenge = Challenge.parse(wwwAuthenticate).orElseThrow(() -> new RegistryAuthenticationException(
                "registry " + registry + " answered 401 without a WWW-Authenticate challenge; cannot log in"));
        switch (challenge.scheme()) {
            case "basic" -> {
                if (credentials == null) {
                    throw new RegistryAuthenticationException("registry " + registry
                            + " requires a user and password (Basic auth): name an imagePullSecret with credentials for "
                            + registry);
                }
                String header = basic(credentials);
                grants.put(key(registry, credentials), new Grant(header, Instant.MAX));
                return header;
            }
            case "bearer" -> {
                return "Bearer " + fetchToken(registry, repository, challenge, credentials);
            }
            default -> throw new RegistryAuthenticationException("registry " + registry + " asks for '"
                    + challenge.scheme() + "' authentication, which bootferry does not speak (Basic and Bearer only)");
        }
    }

    private static String basic(Credentials c) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
    }

    private String fetchToken(String registry, String repository, Challenge challenge, Credentials credentials)
            throws ImageException, IOException {
        String realm = challenge.params().get("realm");
        if (realm == null || realm.isEmpty()) {
            throw new RegistryAuthenticationException("registry " + registry + " sent a Bearer challenge without a realm");
        }
        // Our own pull scope, not the challenge's: the challenge may name another action (push) or be absent.
        String scope = "repository:" + repository + ":pull";
        StringBuilder query = new StringBuilder();
        String service = challenge.params().get("service");
        if (service != null) {
            query.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8)).append('&');
        }
        query.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        URI uri;
        try {
            uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
        } catch (IllegalArgumentException e) {
            throw new RegistryAuthenticationException("registry " + registry + " names a bad token realm '" + realm + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("User-Agent", "bootferry");
        if (credentials != null) {
            headers.put("Authorization", basic(credentials));
        }
        Instant asked = clock.instant();
        int status;
        byte[] answer;
        try (HttpGet response = HttpGet.send(uri, headers, connectTimeout, timeout)) {
            status = response.status();
            answer = response.body().readAllBytes();
        }
        if (status == 401 || status == 403) {
            throw new RegistryAuthenticationException(credentials == null
                    ? "registry " + registry + " requires credentials to pull " + repository
                            + ": name an imagePullSecret with credentials for " + registry
                    : "token server " + uri.getAuthority() + " rejected " + credentials
                            + " for " + registry + ": check the user name and password");
        }
        if (status >= 500) {
            throw new IOException("token server " + realm + " answered " + status);
        }
        if (status != 200) {
            throw new RegistryAuthenticationException("token server " + realm + " answered " + status
                    + " for scope " + scope);
        }
        JsonNode body = JSON.readTree(answer);
        String token = body.path("token").asText(body.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new RegistryAuthenticationException("token server " + realm + " answered without a token");
        }
        long seconds = body.path("expires_in").asLong(DEFAULT_TOKEN_LIFETIME.getSeconds());
        // Renew a little early so a token never expires between our check and the registry's.
        Duration lifetime = Duration.ofSeconds(Math.max(1, seconds - Math.min(30, seconds / 10)));
        grants.put(key(registry, repository, credentials), new Grant("Bearer " + token, asked.plus(lifetime)));
        return token;
    }
}
