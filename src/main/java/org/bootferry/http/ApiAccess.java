package org.bootferry.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.bootferry.config.Cidr;
import org.bootferry.config.ServerSettings;

/** Who may change state ({@code POST /done/M}, reset): the addresses and token of server.yaml's {@code api:}. */
final class ApiAccess {

    private ApiAccess() {
    }

    static void authorize(Exchange ex, ServerSettings.Api settings) throws Refusal {
        InetAddress from = ex.remote();
        if (!settings.allowFrom().isEmpty() && settings.allowFrom().stream().noneMatch(c -> Cidr.parse(c).contains(from))) {
            throw new Refusal(HttpResponseStatus.FORBIDDEN, from.getHostAddress() + " is not in api.allowFrom");
        }
        if (settings.token().isPresent()) {
            String auth = ex.request().headers().get(HttpHeaderNames.AUTHORIZATION, "");
            String given = auth.startsWith("Bearer ") ? auth.substring(7).strip() : ex.param("token").orElse("");
            // Compared in constant time, so the answer's timing tells nothing of the token.
            if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                    settings.token().get().getBytes(StandardCharsets.UTF_8))) {
                throw new Refusal(HttpResponseStatus.UNAUTHORIZED, "a valid api token is required"
                        + " (Authorization: Bearer <token>)");
            }
        }
    }
}
