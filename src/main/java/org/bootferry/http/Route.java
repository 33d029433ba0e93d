package org.bootferry.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.boot.BootUrls;

/**
 * One row of the route table: the methods it takes, which requests it takes, and the name its
 * requests are counted under in {@code bootferry_http_requests_total{route}}.
 *
 * @param match the answer for a request this route takes, given its path and what
 *              {@link BootUrls#parseHttp} made of it; empty for any other request
 */
record Route(Set<HttpMethod> methods, String name, Match match) {

    static final Set<HttpMethod> READ = Set.of(HttpMethod.GET, HttpMethod.HEAD);
    static final Set<HttpMethod> POST = Set.of(HttpMethod.POST);

    /** Answers one request; a refusal is sent as its status and one line of text. */
    @FunctionalInterface
    interface Handler {
        void answer(Exchange ex) throws Refusal;
    }

    @FunctionalInterface
    interface Match {
        Optional<Handler> match(String path, Optional<BootUrls.Request> boot);
    }

    @FunctionalInterface
    interface PathHandler {
        void answer(Exchange ex, MatchResult path) throws Refusal;
    }

    @FunctionalInterface
    interface BootHandler<T extends BootUrls.Request> {
        void answer(Exchange ex, T request) throws Refusal;
    }

    /** A route for the paths {@code regex} matches whole; the handler gets its groups. */
    static Route path(Set<HttpMethod> methods, String name, String regex, PathHandler handler) {
        Pattern pattern = Pattern.compile(regex);
        return new Route(methods, name, (path, boot) -> {
            Matcher m = pattern.matcher(path);
            return m.matches() ? Optional.of(ex -> handler.answer(ex, m.toMatchResult())) : Optional.empty();
        });
    }

    /** A route for the boot URLs that parse to a {@code type} that {@code which} accepts. */
    static <T extends BootUrls.Request> Route boot(Set<HttpMethod> methods, String name, Class<T> type,
            Predicate<T> which, BootHandler<T> handler) {
        return new Route(methods, name, (path, boot) -> boot.filter(type::isInstance).map(type::cast).filter(which)
                .map(request -> ex -> handler.answer(ex, request)));
    }

    static <T extends BootUrls.Request> Route boot(Set<HttpMethod> methods, String name, Class<T> type,
            BootHandler<T> handler) {
        return boot(methods, name, type, request -> true, handler);
    }
}
