package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * {@code [metrics] address}: the Prometheus endpoint containerd serves, with the real shim and runc.
 * The cgroups task monitor ({@code io.containerd.monitor.v1.cgroups}) exports each task's cgroup
 * figures under containerd's names (the 57 a running busybox task gives on containerd 1.6.20 here);
 * the gRPC server counts calls as containerd's does; the handling-time histogram comes with
 * {@code grpc_histogram}.
 */
public class MetricsIT {
    private static final String IMAGE = RunIT.IMAGE;
    private static final String NS = "jcd-metrics";
    private static final Path FIFOS = Path.of("/run/containerd/fifo");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Daemon ours;
    private static int port;
    private static Set<Path> fifosBefore;
    private static Set<Path> cgroupsBefore;

    /** Every container metric containerd 1.6.20 served here for a running busybox task (cgroup v1). */
    private static final List<String> CONTAINER_METRICS = containerMetrics();

    private static List<String> containerMetrics() {
        List<String> names = new ArrayList<>(List.of("pids_limit", "pids_current", "cpu_total_nanoseconds",
                "cpu_kernel_nanoseconds", "cpu_user_nanoseconds", "per_cpu_nanoseconds", "cpu_throttle_periods_total",
                "cpu_throttled_periods_total", "cpu_throttled_time_nanoseconds"));
        for (String s : List.of("cache", "rss", "rss_huge", "mapped_file", "dirty", "writeback", "pgpgin", "pgpgout",
                "pgfault", "pgmajfault", "inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable")) {
            names.add("memory_" + s + "_bytes");
            names.add("memory_total_" + s + "_bytes");
        }
        names.add("memory_hierarchical_memory_limit_bytes");
        names.add("memory_hierarchical_memsw_limit_bytes");
        for (String e : List.of("usage", "swap", "kernel", "kerneltcp")) {
            names.add("memory_" + e + "_failcnt_total");
            names.add("memory_" + e + "_limit_bytes");
            names.add("memory_" + e + "_max_bytes");
            names.add("memory_" + e + "_usage_bytes");
        }
        return names.stream().map(n -> "container_" + n).toList();
    }

    @BeforeClass
    public static void start() throws Exception {
        fifosBefore = Processes.entries(FIFOS);
        cgroupsBefore = Processes.cgroupsNamed(NS);
        port = freePort();
        ours = Daemon.create("[metrics]\n  address = \"127.0.0.1:" + port + "\"\n  grpc_histogram = true").start();
        ours.importBusybox(NS, IMAGE);
    }

    @AfterClass
    public static void stop() throws Exception {
        if (ours != null) {
            ours.removeTasksAndContainers(NS);
            ours.close();
        }
        Processes.removeEmptyAdded(FIFOS, fifosBefore);
        Processes.removeAddedCgroups(NS, cgroupsBefore);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return get(port, path);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String scrape() throws Exception {
        HttpResponse<String> r = get("/v1/metrics");
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        return r.body();
    }

    /** The value of the sample {@code name{labels}}, or NaN if the scrape has none. */
    private static double value(String text, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static String grpcLabels(String method, String service) {
        return "grpc_method=\"" + method + "\",grpc_service=\"" + service + "\",grpc_type=\"unary\"";
    }

    @Test
    public void aTasksCgroupFiguresAndTheServersCallsAreServed() throws Exception {
        Processes.Result run = ctr("run", "-d", "--memory-limit", "67108864", IMAGE, "m1", "sleep", "1000");
        assertEquals(run.toString(), 0, run.rc());
        assertEquals(1, ctr("tasks", "kill", "nope").rc()); // its Containers/Get is answered NotFound

        String text = scrape();
        String task = "container_id=\"m1\",namespace=\"" + NS + "\",runtime=\"io.containerd.runc.v2\"";
        for (String name : CONTAINER_METRICS) {
            assertTrue(name + " for m1 in\n" + text, Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*container_id=\"m1\"")
                    .matcher(text).find());
            assertTrue(text, text.contains("# TYPE " + name + " gauge\n"));
        }
        assertEquals("the limit ctr set on the cgroup", 67108864.0, value(text, "container_memory_usage_limit_bytes", task), 0);
        assertTrue(value(text, "container_pids_current", task) >= 1);
        assertTrue(value(text, "container_cpu_total_nanoseconds", task) > 0);
        assertTrue(value(text, "container_memory_usage_usage_bytes", task) > 0);

        String create = grpcLabels("Create", "containerd.services.tasks.v1.Tasks");
        assertEquals(1.0, value(text, "grpc_server_started_total", create), 0);
        assertEquals(1.0, value(text, "grpc_server_handled_total", "grpc_code=\"OK\"," + create), 0);
        assertEquals(1.0, value(text, "grpc_server_msg_received_total", create), 0);
        assertEquals(1.0, value(text, "grpc_server_msg_sent_total", create), 0);
        assertEquals(1.0, value(text, "grpc_server_handling_seconds_count", create), 0);
        assertEquals(1.0, value(text, "grpc_server_handling_seconds_bucket", create + ",le=\"+Inf\""), 0);
        String get = grpcLabels("Get", "containerd.services.containers.v1.Containers");
        assertEquals(1.0, value(text, "grpc_server_handled_total", "grpc_code=\"NotFound\"," + get), 0);
        assertTrue(value(text, "grpc_server_handled_total", "grpc_code=\"OK\"," + get) >= 1);
        // methods never called are listed too, at zero, with every code
        String checkpoint = grpcLabels("Checkpoint", "containerd.services.tasks.v1.Tasks");
        assertEquals(0.0, value(text, "grpc_server_handled_total", "grpc_code=\"DataLoss\"," + checkpoint), 0);
        assertTrue(text, text.contains("\ncontainerd_build_info_total{revision="));
        Matcher rss = Pattern.compile("(?m)^process_resident_memory_bytes (\\S+)$").matcher(text);
        assertTrue(text, rss.find() && Double.parseDouble(rss.group(1)) > 0);
        assertTrue("the JVM's figures where containerd has its Go runtime's", text.contains("\njvm_threads_current "));

        Processes.Result plugins = Processes.ctr(ours.socket, "plugins", "ls");
        assertTrue(plugins.out(), Pattern.compile("(?m)^io\\.containerd\\.monitor\\.v1\\s+cgroups\\s+linux/amd64\\s+ok\\s*$")
                .matcher(plugins.out()).find());

        assertEquals(0, ctr("tasks", "kill", "-s", "9", "m1").rc());
        awaitStopped("m1");
        assertEquals(0, ctr("tasks", "delete", "m1").rc());
        assertFalse("a deleted task is no longer watched", scrape().contains("container_id=\"m1\""));
        assertEquals(0, ctr("containers", "rm", "m1").rc());

        HttpResponse<String> other = get("/metrics");
        assertEquals(404, other.statusCode());
    }

    /** After a kill -9 of the daemon, the task found again is watched again (without labels, as containerd). */
    @Test
    public void aTaskFoundAgainAfterARestartIsWatchedAgain() throws Exception {
        assertEquals(0, ctr("run", "-d", IMAGE, "m2", "sleep", "1000").rc());
        ours.kill9();
        ours.start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        String text = scrape();
        while (!text.contains("container_pids_current{container_id=\"m2\",namespace=\"" + NS + "\"}")) {
            assertTrue(text, System.nanoTime() < deadline);
            Thread.sleep(200);
            text = scrape();
        }
        assertEquals(0, ctr("tasks", "kill", "-s", "9", "m2").rc());
        awaitStopped("m2");
        assertEquals(0, ctr("tasks", "delete", "m2").rc());
        assertEquals(0, ctr("containers", "rm", "m2").rc());
    }

    /** The address taken: the daemon ends before it serves, with containerd's words and exit code 1. */
    @Test
    public void anAddressInUseEndsTheDaemonAsContainerd() throws Exception {
        try (Daemon d = Daemon.create("[metrics]\n  address = \"127.0.0.1:" + port + "\"")) {
            DaemonLifecycleIT.assertExitsWith(d, "failed to get listener for metrics endpoint: listen tcp 127.0.0.1:"
                    + port + ": bind: address already in use");
        }
    }

    /** {@code no_prometheus = true} for the cgroups monitor: the plugin is there, its figures are not served. */
    @Test
    public void noPrometheusKeepsTheTasksFiguresOut() throws Exception {
        int other = freePort();
        try (Daemon d = Daemon.create("[metrics]\n  address = \"127.0.0.1:" + other + "\"\n"
                + "[plugins.\"io.containerd.monitor.v1.cgroups\"]\n  no_prometheus = true").start()) {
            d.importBusybox(NS, IMAGE);
            try {
                assertEquals(0, d.ctr("-n", NS, "run", "-d", IMAGE, "m3", "sleep", "1000").rc());
                HttpResponse<String> r = get(other, "/v1/metrics");
                assertEquals(200, r.statusCode());
                assertFalse(r.body(), r.body().contains("\ncontainer_"));
                assertTrue(r.body(), r.body().contains("\ngrpc_server_started_total{"));
                assertTrue(d.ctr("plugins", "ls").out().matches("(?s).*\\nio\\.containerd\\.monitor\\.v1\\s+cgroups\\s+\\S+\\s+ok.*"));
            } finally {
                d.removeTasksAndContainers(NS);
            }
        }
    }

    private static void awaitStopped(String id) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!ctr("tasks", "ls").out().matches("(?s).*\\n" + id + "\\s+\\d+\\s+STOPPED.*")) {
            assertTrue(id + " stopped", System.nanoTime() < deadline);
            Thread.sleep(100);
        }
    }

    private static Processes.Result ctr(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("-n", NS));
        a.addAll(List.of(args));
        return Processes.ctr(ours.socket, a.toArray(String[]::new));
    }
}
