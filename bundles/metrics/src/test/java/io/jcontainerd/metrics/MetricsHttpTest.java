package io.jcontainerd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsHttpTest {
    private static PrometheusRegistry registry() {
        PrometheusRegistry r = new PrometheusRegistry();
        r.register(() -> MetricSnapshots.of(CounterSnapshot.builder().name("jcd_test").help("a test counter")
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(3).build()).build()));
        return r;
    }

    @Test
    void servesTheTextFormatAtV1MetricsOnlyAndGzipsWhenAsked() throws Exception {
        try (MetricsHttp http = MetricsHttp.serve("127.0.0.1:0", registry())) {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + http.port();
            HttpResponse<String> plain = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, plain.statusCode());
            assertEquals(MetricsHttp.CONTENT_TYPE, plain.headers().firstValue("Content-Type").orElse(""));
            assertTrue(plain.body().contains("# TYPE jcd_test_total counter\njcd_test_total 3.0\n"), plain.body());

            HttpResponse<InputStream> zipped = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/metrics"))
                    .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals("gzip", zipped.headers().firstValue("Content-Encoding").orElse(""));
            try (InputStream in = new GZIPInputStream(zipped.body())) {
                assertEquals(plain.body(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }

            HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
            assertEquals("404 page not found\n", other.body());
        }
    }

    @Test
    void anAddressInUseFailsWithContainerdsWords() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            String address = "127.0.0.1:" + taken.getLocalPort();
            IOException e = assertThrows(IOException.class, () -> MetricsHttp.serve(address, registry()));
            assertEquals("failed to get listener for metrics endpoint: listen tcp " + address
                    + ": bind: address already in use", e.getMessage());
        }
    }

    @Test
    void addressesAreHostPortAsContainerdTakesThem() throws IOException {
        assertEquals(new InetSocketAddress("127.0.0.1", 1338), MetricsHttp.parse("127.0.0.1:1338"));
        assertEquals(new InetSocketAddress(1338), MetricsHttp.parse(":1338"));
        assertEquals(new InetSocketAddress("::1", 1338), MetricsHttp.parse("[::1]:1338"));
        IOException e = assertThrows(IOException.class, () -> MetricsHttp.parse("127.0.0.1"));
        assertEquals("failed to get listener for metrics endpoint: listen tcp 127.0.0.1: address 127.0.0.1: "
                + "missing port in address", e.getMessage());
    }

    @Test
    void theAddressSpaceLimitIsReadFromProcLimits(@TempDir Path dir) throws IOException {
        Path limits = dir.resolve("limits");
        Files.writeString(limits, "Limit                     Soft Limit           Hard Limit           Units     \n"
                + "Max address space         unlimited            unlimited            bytes     \n");
        assertEquals(18446744073709551615.0, new AddressSpaceLimit(limits).read());
        Files.writeString(limits, "Max address space         4294967296           unlimited            bytes     \n");
        assertEquals(4294967296.0, new AddressSpaceLimit(limits).read());
        assertNull(new AddressSpaceLimit(dir.resolve("none")).read());
    }
}
