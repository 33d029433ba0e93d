package org.bootferry.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;
import org.bootferry.config.Cidr;
import org.bootferry.config.ServerSettings;

/**
 * Who may read the admin surface and who may change state, by server.yaml's {@code api:}. The token
 * comes only in the {@code Authorization} header (RFC 6750 §2.1; the scheme's case is free, RFC 9110
 * §11.1): a URL's query is written to access logs and proxies' logs, so {@code ?token=} is refused
 * before anything logs it ({@link HttpRouter}).
 */
final class ApiAccess {

    /** What a route does, which decides what it asks of a caller. */
    enum Scope {
        /** The status page and the API's reads: the token when one is set. */
        READ,
        /** An installer reporting its machine done: the token and addresses when set, never a browser. */
        REPORT,
        /**
         * An admin's change (reset: the machine reinstalls, wiping its disk; adopt: an unknown machine
         * boots what its new file says): never a browser, and
         * only with a token or {@code allowFrom} set, so that a default config is not open to the network.
         */
        CHANGE
    }

    private ApiAccess() {
    }

    static void authorize(Exchange ex, ServerSettings.Api settings, Scope scope) throws Refusal {
        if (scope != Scope.READ) {
            refuseBrowsers(ex);
            allowedAddress(ex.remote(), settings);
        }
        if (scope == Scope.CHANGE && settings.token().isEmpty() && settings.allowFrom().isEmpty()) {
            throw new Refusal(HttpResponseStatus.FORBIDDEN, "changing state needs api.token (or api.allowFrom)"
                    + " in server.yaml: without either, anyone on the network could");
        }
        if (settings.token().isPresent()) {
            String given = bearer(ex.request().headers().get(HttpHeaderNames.AUTHORIZATION)).orElse("");
            // Compared in constant time, so the answer's timing tells nothing of the token.
            if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                    settings.token().get().getBytes(StandardCharsets.UTF_8))) {
                throw new Refusal(HttpResponseStatus.UNAUTHORIZED, "a valid api token is required"
                        + " (Authorization: Bearer <token>)");
            }
        }
    }

    /** The credentials of an {@code Authorization: Bearer …} header, the scheme in any case. */
    static Optional<String> bearer(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.of(header.substring(7).strip());
    }

    private static void allowedAddress(InetAddress from, ServerSettings.Api settings) throws Refusal {
        if (!settings.allowFrom().isEmpty() && settings.allowFrom().stream().noneMatch(c -> Cidr.parse(c).contains(from))) {
            throw new Refusal(HttpResponseStatus.FORBIDDEN, from.getHostAddress() + " is not in api.allowFrom");
        }
    }

    /**
     * A web page can make a browser post a form to any address (a "simple" request, which CORS lets
     * through without asking: Fetch §3.2.3, CORS-safelisted request headers). Browsers mark every
     * request they send with {@code Sec-Fetch-Site} (Fetch Metadata) and a POST with {@code Origin}
     * (Fetch §3.1); installers' curl and wget send neither.
     */
    private static void refuseBrowsers(Exchange ex) throws Refusal {
        var headers = ex.request().headers();
        String type = headers.get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        if (headers.contains(HttpHeaderNames.ORIGIN) || headers.contains("Sec-Fetch-Site")
                || type.startsWith("multipart/form-data") || type.startsWith("text/plain")) {
            throw new Refusal(HttpResponseStatus.FORBIDDEN, "a browser's request can't change state"
                    + " (a web page could send it): use curl or another HTTP client");
        }
    }
}
