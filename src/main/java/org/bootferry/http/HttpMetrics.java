package org.bootferry.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code bootferry_http_requests_total{route,status}}, {@code bootferry_http_response_bytes_total{route}} and
 * the histogram {@code bootferry_http_request_duration_seconds{route}}, by the name of the {@link Route}
 * that took the request ({@value RouteTable#OTHER} when none did).
 */
final class HttpMetrics {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> bytes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> durations = new ConcurrentHashMap<>();

    /**
     * From a script or status page (milliseconds) to an initrd of hundreds of MB sent to a VM under
     * TCG emulation, or waiting for an image pull (minutes): 5 ms to 5 min, about 2.5x apart.
     */
    static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5)};

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param nanos from the request read to its answer handed to the socket; for a file, to its last byte
     *              sent, since that is what a slow client or a pull makes long
     */
    void count(String route, int status, long bodyBytes, long nanos) {
        requests.computeIfAbsent(route + "|" + status, k -> Counter.builder("bootferry_http_requests")
                .description("HTTP requests by route and status")
                .tag("route", route).tag("status", String.valueOf(status))
                .register(registry)).increment();
        bytes.computeIfAbsent(route, r -> Counter.builder("bootferry_http_response_bytes")
                .description("HTTP response body bytes by route").baseUnit("bytes")
                .tag("route", r).register(registry)).increment(bodyBytes);
        durations.computeIfAbsent(route, r -> Timer.builder("bootferry_http_request_duration")
                .description("HTTP request duration by route, until the answer went out (a file's last byte)")
                .serviceLevelObjectives(BUCKETS).tag("route", r).register(registry))
                .record(Duration.ofNanos(nanos));
    }
}
