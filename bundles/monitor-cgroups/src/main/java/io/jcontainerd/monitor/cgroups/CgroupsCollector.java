package io.jcontainerd.monitor.cgroups;

import com.google.protobuf.InvalidProtocolBufferException;
import io.jcontainerd.runtime.RuntimeTask;
import io.jcontainerd.runtime.TaskMonitor;
import io.jcontainerd.types.TypedValue;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The cgroups task monitor's logic: the tasks it was handed, and at each scrape their stats (asked of
 * each task's shim, all at once) turned into containerd's {@code container_*} metrics, from cgroup v1 or
 * v2 figures. A task whose stats cannot be had is left out of that scrape, as containerd does.
 */
final class CgroupsCollector implements TaskMonitor, MultiCollector {
    private static final System.Logger LOG = System.getLogger(CgroupsCollector.class.getName());
    static final String V1_METRICS = "io.containerd.cgroups.v1.Metrics";
    static final String V2_METRICS = "io.containerd.cgroups.v2.Metrics";

    /** A task's stats, parsed, with the metrics they give. */
    record Stats<M>(List<Metric<M>> metrics, M figures) {
    }

    /**
     * A watched task. {@code pending} is its last stats call: a shim that does not answer (stopped,
     * hung) holds one thread, not one per scrape, and only the first scrape waits for it.
     */
    private record Entry(RuntimeTask task, Map<String, String> labels, AtomicReference<CompletableFuture<Stats<?>>> pending) {
        Entry(RuntimeTask task, Map<String, String> labels) {
            this(task, labels, new AtomicReference<>());
        }

        /** A new stats call, or null while the previous one is still unanswered. */
        CompletableFuture<Stats<?>> stats(Executor executor) {
            CompletableFuture<Stats<?>> last = pending.get();
            if (last != null && !last.isDone()) {
                return null;
            }
            CompletableFuture<Stats<?>> next = new CompletableFuture<>();
            if (!pending.compareAndSet(last, next)) {
                return null; // a concurrent scrape asked first
            }
            CompletableFuture.runAsync(() -> {
                try {
                    next.complete(CgroupsCollector.stats(task.stats()));
                } catch (RuntimeException e) {
                    next.completeExceptionally(e);
                }
            }, executor);
            return next;
        }
    }

    private final Map<String, Entry> tasks = new ConcurrentHashMap<>();
    private final Executor executor;
    private final long timeoutMillis;

    CgroupsCollector(Executor executor, long timeoutMillis) {
        this.executor = executor;
        this.timeoutMillis = timeoutMillis;
    }

    private static String key(String namespace, String id) {
        return namespace + "/" + id;
    }

    @Override
    public void monitor(RuntimeTask task, Map<String, String> labels) {
        tasks.putIfAbsent(key(task.namespace(), task.id()), new Entry(task, labels == null ? Map.of() : Map.copyOf(labels)));
    }

    @Override
    public void stop(String namespace, String id) {
        tasks.remove(key(namespace, id));
    }

    /** How many tasks are watched (for tests). */
    int size() {
        return tasks.size();
    }

    @Override
    public MetricSnapshots collect() {
        List<Entry> entries = new ArrayList<>(tasks.values());
        List<CompletableFuture<Stats<?>>> stats = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            stats.add(e.stats(executor));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Map<String, GaugeSnapshot.Builder> families = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            Stats<?> m = await(entries.get(i).task(), stats.get(i), deadline);
            if (m != null) {
                RuntimeTask t = entries.get(i).task();
                add(families, t.id(), t.namespace(), entries.get(i).labels(), m);
            }
        }
        List<MetricSnapshot> out = new ArrayList<>(families.size());
        families.values().forEach(b -> out.add(b.build()));
        return new MetricSnapshots(out);
    }

    /** Adds one task's samples to the metric families. */
    static <M> void add(Map<String, GaugeSnapshot.Builder> families, String id, String namespace, Map<String, String> labels,
            Stats<M> stats) {
        for (Metric<M> metric : stats.metrics()) {
            for (Metric.Sample s : metric.samples().apply(stats.figures())) {
                Labels.Builder l = Labels.builder().label("container_id", id).label("namespace", namespace);
                labels.forEach(l::label);
                for (int i = 0; i < metric.labels().size(); i++) {
                    l.label(metric.labels().get(i), s.labels().get(i));
                }
                families.computeIfAbsent(metric.name(), n -> GaugeSnapshot.builder().name(n).help(metric.help()))
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(s.value()).labels(l.build()).build());
            }
        }
    }

    /** The task's stats, as cgroup v1 or v2 figures (containerd's monitor reads the kind its host has). */
    static Stats<?> stats(TypedValue v) {
        try {
            if (v != null && v.typeUrl().endsWith(V1_METRICS)) {
                return new Stats<>(CgroupV1Metrics.ALL, io.containerd.cgroups.v1.Metrics.parseFrom(v.value()));
            }
            if (v != null && v.typeUrl().endsWith(V2_METRICS)) {
                return new Stats<>(CgroupV2Metrics.ALL, io.containerd.cgroups.v2.Metrics.parseFrom(v.value()));
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable stats: " + e.getMessage(), e);
        }
        throw new IllegalStateException("not cgroup figures: " + (v == null ? "none" : v.typeUrl()));
    }

    private static Stats<?> await(RuntimeTask task, CompletableFuture<Stats<?>> f, long deadline) {
        if (f == null) {
            LOG.log(System.Logger.Level.ERROR, () -> "stat task " + task.id() + ": still no answer to the last scrape's call");
            return null;
        }
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            LOG.log(System.Logger.Level.ERROR, () -> "stat task " + task.id() + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.ERROR, () -> "stat task " + task.id() + ": no answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}
