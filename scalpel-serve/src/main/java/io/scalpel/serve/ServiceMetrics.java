package io.scalpel.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The service's metrics, in a registry of its own, in Prometheus' text format at {@code /metrics}:
 * requests by route and status, their latency by route (a histogram), bytes sent by route, and the
 * slices running.
 */
final class ServiceMetrics {
    /** Latency buckets, seconds: a warm one-uid slice takes milliseconds, a large one seconds. */
    private static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests = Counter.builder().name("scalpel_http_requests")
        .help("HTTP requests answered, by route and status").labelNames("route", "status").register(registry);
    private final Histogram latency = Histogram.builder().name("scalpel_http_request_duration_seconds")
        .help("Time from a request's arrival to its response's end, by route").labelNames("route")
        .classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
    private final Counter bytesOut = Counter.builder().name("scalpel_http_response_bytes")
        .help("Bytes of response bodies sent, by route").labelNames("route").register(registry);
    private final Gauge slicesInFlight = Gauge.builder().name("scalpel_slices_in_flight")
        .help("Slices running now").register(registry);

    /** Counts one request answered. */
    void answered(final String route, final int status, final double seconds, final long bytes) {
        requests.labelValues(route, Integer.toString(status)).inc();
        latency.labelValues(route).observe(seconds);
        bytesOut.labelValues(route).inc(bytes);
    }

    void sliceStarted() {
        slicesInFlight.inc();
    }

    void sliceEnded() {
        slicesInFlight.dec();
    }

    String contentType() {
        return writer.getContentType();
    }

    void write(final OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
