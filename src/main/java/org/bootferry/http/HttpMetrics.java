package org.bootferry.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code bootferry_http_requests_total{route,status}} and {@code bootferry_http_response_bytes_total{route}},
 * by the name of the {@link Route} that took the request ({@value RouteTable#OTHER} when none did).
 */
final class HttpMetrics {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> bytes = new ConcurrentHashMap<>();

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void count(String route, int status, long bodyBytes) {
        requests.computeIfAbsent(route + "|" + status, k -> Counter.builder("bootferry_http_requests")
                .description("HTTP requests by route and status")
                .tag("route", route).tag("status", String.valueOf(status))
                .register(registry)).increment();
        bytes.computeIfAbsent(route, r -> Counter.builder("bootferry_http_response_bytes")
                .description("HTTP response body bytes by route").baseUnit("bytes")
                .tag("route", r).register(registry)).increment(bodyBytes);
    }
}
