package org.bootferry.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.bootferry.config.Adoption;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.MacAddress;

/**
 * What an admin reads and does: the status page, {@code /healthz} (the process answers),
 * {@code /readyz} (it boots machines: every listener bound), {@code /metrics}, the JSON API (with
 * DHCP server mode's {@code /api/leases}), {@code POST /api/machines/M/reset} and
 * {@code POST /api/discovered/M/adopt}.
 */
final class AdminRoutes {

    private static final String JSON = "application/json";
    private static final String HTML = "text/html; charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServices services;
    private final Api api;
    private final OffLoop offLoop;

    AdminRoutes(HttpServices services, OffLoop offLoop) {
        this.services = services;
        this.api = new Api(services.config(), services.booter(), services.history(), services.installs(),
                services.addressing(), services.discoveries(), services.unidentified());
        this.offLoop = offLoop;
    }

    List<Route> routes() {
        return List.of(
                Route.path(Route.READ, "status", "/", (ex, m) -> {
                    authorizeRead(ex);
                    ex.send(HttpResponseStatus.OK, HTML, StatusPage.render(services.config().get(),
                            services.history(), services.booter(), services.addressing().get(), services.discoveries(),
                            services.unidentified()));
                }),
                Route.path(Route.READ, "healthz", "/healthz", (ex, m) -> ex.sendText(HttpResponseStatus.OK, "ok")),
                Route.path(Route.READ, "readyz", "/readyz", (ex, m) -> readiness(ex)),
                Route.path(Route.READ, "metrics", "/metrics",
                        (ex, m) -> ex.send(HttpResponseStatus.OK, PROMETHEUS, services.metrics().get())),
                Route.path(Route.READ, "api", "/api/machines", (ex, m) -> {
                    authorizeRead(ex);
                    ex.send(HttpResponseStatus.OK, JSON, api.machines());
                }),
                Route.path(Route.READ, "api", "/api/machines/([^/]+)", (ex, m) -> {
                    authorizeRead(ex);
                    MacAddress mac = mac(m.group(1));
                    String json = api.machine(mac, ipv6(ex)).orElseThrow(() -> Refusal.unknownMachine(mac));
                    ex.send(HttpResponseStatus.OK, JSON, json);
                }),
                Route.path(Route.POST, "api", "/api/machines/([^/]+)/reset", (ex, m) -> reset(ex, mac(m.group(1)))),
                Route.path(Route.READ, "api", "/api/leases", (ex, m) -> {
                    authorizeRead(ex);
                    ex.send(HttpResponseStatus.OK, JSON, api.leases());
                }),
                Route.path(Route.READ, "api", "/api/events", (ex, m) -> events(ex)),
                Route.path(Route.READ, "api", "/api/discovered", (ex, m) -> {
                    authorizeRead(ex);
                    ex.send(HttpResponseStatus.OK, JSON, api.discovered());
                }),
                Route.path(Route.POST, "api", "/api/discovered/([^/]+)/adopt", (ex, m) -> adopt(ex, mac(m.group(1)))),
                Route.path(Route.READ, "api", "/api/unidentified", (ex, m) -> {
                    authorizeRead(ex);
                    ex.send(HttpResponseStatus.OK, JSON, api.unidentified());
                }),
                Route.path(Route.READ, "api", "/api/config/errors", (ex, m) -> {
                    authorizeRead(ex);
                    ex.send(HttpResponseStatus.OK, JSON, api.configErrors());
                }));
    }

    /** The status page and the API show what machines boot and when: the token's, when one is set. */
    private void authorizeRead(Exchange ex) throws Refusal {
        ApiAccess.authorize(ex, services.config().get().settings().api(), ApiAccess.Scope.READ);
    }

    /** 503 with the reason while starting or stopping, so a probe (Kubernetes' readiness) keeps boots away. */
    private void readiness(Exchange ex) {
        Optional<String> why = services.notReady().get();
        if (why.isPresent()) {
            ex.sendText(HttpResponseStatus.SERVICE_UNAVAILABLE, why.get());
        } else {
            ex.sendText(HttpResponseStatus.OK, "ready");
        }
    }

    private void events(Exchange ex) throws Refusal {
        authorizeRead(ex);
        Optional<String> text = ex.param("mac");
        Optional<MacAddress> mac = text.isPresent() ? Optional.of(mac(text.get())) : Optional.empty();
        ex.send(HttpResponseStatus.OK, JSON, api.events(mac, limit(ex)));
    }

    private void reset(Exchange ex, MacAddress mac) throws Refusal {
        ApiAccess.authorize(ex, services.config().get().settings().api(), ApiAccess.Scope.CHANGE);
        String from = ex.remote().getHostAddress();
        offLoop.changeState(ex, "cannot reset: ", () -> {
            boolean was = services.installs().reset(mac);
            services.log().record(BootEvent.now(mac, BootEvent.Stage.RESET, "reset from " + from));
            return was ? mac + " will install again at its next boot" : mac + " was not installed";
        });
    }

    /**
     * Writes {@code machines/<mac>.yaml} for {@code ?profile=P[&hostname=H]}; the live reload puts it
     * in force, so the machine's next DHCP retry boots it.
     */
    private void adopt(Exchange ex, MacAddress mac) throws Refusal {
        ApiAccess.authorize(ex, services.config().get().settings().api(), ApiAccess.Scope.CHANGE);
        String profile = ex.param("profile").orElseThrow(() ->
                new Refusal(HttpResponseStatus.BAD_REQUEST, "name the profile: ?profile=NAME"));
        Optional<String> hostname = ex.param("hostname");
        String from = ex.remote().getHostAddress();
        offLoop.answer(ex, () -> {
            try {
                Path file = Adoption.adopt(services.config().get(), mac, profile, hostname);
                services.log().record(BootEvent.now(mac, BootEvent.Stage.ADOPTED, "adopted from " + from
                        + " with profile " + profile));
                return later -> later.sendText(HttpResponseStatus.CREATED, "wrote " + file
                        + "; the config reload puts it in force and the machine's next DHCP retry boots it");
            } catch (Adoption.Refused e) {
                return later -> later.sendText(HttpResponseStatus.CONFLICT, e.getMessage());
            }
        }, e -> later -> later.sendText(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot adopt: " + e.getMessage()));
    }

    /** {@code ?limit=}: how many events, 1000 when not given. */
    private static int limit(Exchange ex) throws Refusal {
        Optional<String> value = ex.param("limit");
        try {
            return value.isEmpty() ? 1000 : Math.max(1, Integer.parseInt(value.get()));
        } catch (NumberFormatException e) {
            throw new Refusal(HttpResponseStatus.BAD_REQUEST, "?limit= takes a whole number");
        }
    }

    private static MacAddress mac(String text) throws Refusal {
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Refusal(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        }
    }

    /** {@code ?family=6}: what the machine gets over IPv6 ({@code explain --family 6}); 4, the default, over IPv4. */
    private static boolean ipv6(Exchange ex) throws Refusal {
        String family = ex.param("family").orElse("4");
        if (!family.equals("4") && !family.equals("6")) {
            throw new Refusal(HttpResponseStatus.BAD_REQUEST, "?family= is 4 or 6, not '" + family + "'");
        }
        return family.equals("6");
    }
}
