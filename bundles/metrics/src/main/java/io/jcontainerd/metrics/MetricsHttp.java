package io.jcontainerd.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;

/**
 * The metrics endpoint: {@code /v1/metrics} on a TCP address, in Prometheus' text format 0.0.4
 * (gzipped when the client accepts it), as containerd serves it; any other path is 404.
 */
final class MetricsHttp implements AutoCloseable {
    static final String PATH = "/v1/metrics";
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsHttp(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Listens on {@code address} ({@code host:port}, containerd's form) and serves {@code registry}.
     * Fails with containerd's words when the address cannot be had.
     */
    static MetricsHttp serve(String address, PrometheusRegistry registry) throws IOException {
        InetSocketAddress at = parse(address);
        HttpServer server;
        try {
            server = HttpServer.create(at, 16);
        } catch (IOException e) {
            String why = e instanceof BindException && e.getMessage() != null
                    && e.getMessage().toLowerCase().contains("in use") ? "bind: address already in use" : String.valueOf(e.getMessage());
            throw listenFailed(address, why, e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        server.createContext("/", exchange -> {
            try (exchange) {
                if (!PATH.equals(exchange.getRequestURI().getPath())) {
                    byte[] body = "404 page not found\n".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                    exchange.sendResponseHeaders(404, body.length);
                    exchange.getResponseBody().write(body);
                    return;
                }
                ByteArrayOutputStream text = new ByteArrayOutputStream(64 << 10);
                writer.write(text, registry.scrape());
                respond(exchange, text.toByteArray());
            }
        });
        server.start();
        return new MetricsHttp(server, executor);
    }

    private static void respond(HttpExchange exchange, byte[] text) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        String accept = exchange.getRequestHeaders().getFirst("Accept-Encoding");
        boolean gzip = accept != null && accept.toLowerCase().contains("gzip");
        if (gzip) {
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(200, head ? -1 : 0);
        if (head) {
            return;
        }
        try (OutputStream out = gzip ? new GZIPOutputStream(exchange.getResponseBody()) : exchange.getResponseBody()) {
            out.write(text);
        }
    }

    /** {@code host:port}, {@code :port} (all addresses) or {@code [v6]:port}. */
    static InetSocketAddress parse(String address) throws IOException {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw listenFailed(address, "address " + address + ": missing port in address", null);
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw listenFailed(address, "invalid port " + address.substring(colon + 1), e);
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    /** containerd's words for an address it cannot listen on. */
    private static IOException listenFailed(String address, String why, Exception cause) {
        return new IOException("failed to get listener for metrics endpoint: listen tcp " + address + ": " + why, cause);
    }

    /** The port listened on (for tests, when asked for port 0). */
    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
