package io.jcontainerd.monitor.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerd.cgroups.v1.Metrics;
import io.containerd.cgroups.v1.PidsStat;
import io.jcontainerd.runtime.RuntimeTask;
import io.jcontainerd.types.TypedValue;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Scrapes through the collector with tasks whose stats answer at once, late, or fail. */
class CgroupsCollectorScrapeTest {
    /** A task that answers only id, namespace and stats (whatever the collector asks of it). */
    private static RuntimeTask task(String id, java.util.function.Supplier<TypedValue> stats) {
        return (RuntimeTask) Proxy.newProxyInstance(RuntimeTask.class.getClassLoader(), new Class<?>[] {RuntimeTask.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "id" -> id;
                    case "namespace" -> "ns1";
                    case "stats" -> stats.get();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static TypedValue pids(long current) {
        return new TypedValue("type.googleapis.com/" + CgroupsCollector.V1_METRICS,
                Metrics.newBuilder().setPids(PidsStat.newBuilder().setCurrent(current)).build().toByteArray());
    }

    private static long tasksIn(MetricSnapshots s) {
        for (MetricSnapshot m : s) {
            if (m.getMetadata().getName().equals("container_pids_current")) {
                return m.getDataPoints().size();
            }
        }
        return 0;
    }

    @Test
    void aShimThatDoesNotAnswerCostsOneWaitAndOneThreadNotOnePerScrape() throws Exception {
        ExecutorService executor = Executors.newCachedThreadPool();
        try {
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            CgroupsCollector c = new CgroupsCollector(executor, 300);
            c.monitor(task("ok", () -> pids(1)), Map.of());
            c.monitor(task("hung", () -> {
                calls.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return pids(2);
            }), Map.of());

            long t0 = System.nanoTime();
            assertEquals(1, tasksIn(c.collect()), "the hung task is left out once the wait is over");
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(300));
            t0 = System.nanoTime();
            assertEquals(1, tasksIn(c.collect()));
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(250), "no second wait for the same call");
            assertEquals(1, calls.get(), "no second call while the first is unanswered");

            release.countDown();
            Thread.sleep(50);
            assertEquals(2, tasksIn(c.collect()), "answering again, it is back");
            assertEquals(2, calls.get());
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aTaskWhoseStatsFailIsLeftOutAndAStoppedOneIsNoLongerAsked() {
        ExecutorService executor = Executors.newCachedThreadPool();
        try {
            CgroupsCollector c = new CgroupsCollector(executor, 1000);
            c.monitor(task("gone", () -> {
                throw new IllegalStateException("ttrpc: closed");
            }), Map.of());
            c.monitor(task("ok", () -> pids(1)), Map.of("runtime", "io.containerd.runc.v2"));
            c.monitor(task("ok", () -> pids(9)), null); // watching a watched task changes nothing
            assertEquals(2, c.size());
            assertEquals(1, tasksIn(c.collect()));
            c.stop("ns1", "ok");
            c.stop("ns1", "gone");
            assertEquals(0, c.size());
            assertEquals(0, tasksIn(c.collect()));
        } finally {
            executor.shutdownNow();
        }
    }
}
