package org.bootferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.bootferry.boot.BootUrls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which route takes a request, the name it is counted under, and what no route takes. */
class RouteTableTest {

    /** Only the table is asked here: no handler runs, so no service is needed. */
    static final RouteTable TABLE = RouteTable.of(new HttpServices(null, null, null, null, null, null, null, null, null, null,
            null, null, null, null), null);

    static RouteTable.Resolved resolve(HttpMethod method, String uri) throws BootUrls.Malformed {
        QueryStringDecoder decoded = new QueryStringDecoder(uri);
        return TABLE.resolve(method, decoded.path(), BootUrls.parseHttp(decoded.path(), decoded.parameters()));
    }

    /** The names {@code bootferry_http_requests_total{route}} has always had: dashboards and the bench read them. */
    @ParameterizedTest
    @CsvSource({
            "GET, /, status",
            "GET, /healthz, healthz",
            "GET, /readyz, readyz",
            "GET, /metrics, metrics",
            "GET, /boot.ipxe?mac=52-54-00-12-34-56, script",
            "HEAD, /boot.ipxe?mac=52-54-00-12-34-56&firmware=efi-arm64, script",
            "GET, /boot/52-54-00-12-34-56/kernel, kernel",
            "GET, /boot/52-54-00-12-34-56/initrd, initrd",
            "GET, /boot/52-54-00-12-34-56/initrd/2, initrd",
            "GET, /ks/52-54-00-12-34-56, kickstart",
            "GET, /files/52-54-00-12-34-56/user-data, install-file",
            "GET, /tftp/ipxe.efi, loader",
            "GET, /tftp/ipxe.efi?mac=52-54-00-12-34-56, loader",
            "POST, /done/52-54-00-12-34-56, done",
            "GET, /api/machines, api",
            "GET, /api/machines/52:54:00:12:34:56, api",
            "POST, /api/machines/52:54:00:12:34:56/reset, api",
            "GET, /api/events?mac=52:54:00:12:34:56&limit=5, api",
            "GET, /api/config/errors, api",
            "GET, /api/discovered, api",
            "GET, /api/unidentified, api",
            "POST, /api/discovered/52:54:00:12:34:56/adopt, api",
    })
    void everyRouteKeepsItsMetricName(String method, String uri, String name) throws Exception {
        assertThat(resolve(HttpMethod.valueOf(method), uri).name()).isEqualTo(name);
    }

    /** A read no route takes is 404 "no such endpoint"; any other method 405, counted under the path's route. */
    @ParameterizedTest
    @CsvSource({
            "GET, /nope, other, 404",
            "GET, /api/nope, other, 404",
            "GET, /boot/52-54-00-12-34-56/kernel/1, other, 404",
            "HEAD, /healthz/more, other, 404",
            "GET, /done/52-54-00-12-34-56, done, 404",
            "GET, /api/machines/52:54:00:12:34:56/reset, api, 404",
            "POST, /boot.ipxe?mac=52-54-00-12-34-56, script, 405",
            "PUT, /healthz, healthz, 405",
            "DELETE, /api/machines/52:54:00:12:34:56, api, 405",
            "POST, /nope, other, 405",
            "PUT, /done/52-54-00-12-34-56, done, 405",
    })
    void aRequestNoRouteTakesIsRefusedAndCountedUnderItsPathsRoute(String method, String uri, String name, int status)
            throws Exception {
        RouteTable.Resolved resolved = resolve(HttpMethod.valueOf(method), uri);
        assertThat(resolved.name()).isEqualTo(name);
        String path = new QueryStringDecoder(uri).path();
        String message = status == 404 ? "no such endpoint: " + path : method + " is not supported on " + path;
        assertThatThrownBy(() -> resolved.handler().answer(null)).isInstanceOfSatisfying(Refusal.class, r -> {
            assertThat(r.status().code()).isEqualTo(status);
            assertThat(r.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void aBootUrlWithABadMacIsMalformedBeforeAnyRouteIsAsked() {
        assertThatThrownBy(() -> resolve(HttpMethod.GET, "/ks/nope")).isInstanceOf(BootUrls.Malformed.class)
                .hasMessageContaining("not a MAC address: 'nope'");
    }
}
