package org.bootferry.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bootferry.boot.BootUrls;

/** Every route the listener answers, and how a request finds its own. */
final class RouteTable {

    /** The metrics name of a request no route takes. */
    static final String OTHER = "other";

    /** The route a request went to: its metrics name and its answer. */
    record Resolved(String name, Route.Handler handler) {
    }

    private final List<Route> routes;

    RouteTable(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** The listener's routes: a booting machine's, then the admin's. */
    static RouteTable of(HttpServices services, Guard guard) {
        OffLoop offLoop = new OffLoop(services.blocking(), guard);
        List<Route> all = new ArrayList<>(new BootRoutes(services, offLoop, guard).routes());
        all.addAll(new AdminRoutes(services, offLoop).routes());
        return new RouteTable(all);
    }

    /**
     * The first route that takes the request. When none does, a read is answered 404 and any other
     * method 405, counted under the name of a route that takes the path by another method, if any.
     */
    Resolved resolve(HttpMethod method, String path, Optional<BootUrls.Request> boot) {
        String named = null;
        for (Route route : routes) {
            Optional<Route.Handler> handler = route.match().match(path, boot);
            if (handler.isEmpty()) {
                continue;
            }
            if (route.methods().contains(method)) {
                return new Resolved(route.name(), handler.get());
            }
            named = named == null ? route.name() : named;
        }
        Refusal refusal = Route.READ.contains(method)
                ? new Refusal(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + path)
                : new Refusal(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " is not supported on " + path);
        return new Resolved(named == null ? OTHER : named, ex -> {
            throw refusal;
        });
    }
}
