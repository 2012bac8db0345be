package io.jcontainerd.gc.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * When to collect, as containerd's gc scheduler decides: once shortly after start; after deletions,
 * no sooner than the pause threshold allows (a collection may take at most that fraction of the time);
 * at once when a caller needs it done ({@link #collectNow()}), joining a collection that has not
 * started its mark yet. Collections run one at a time on one thread.
 */
final class Scheduler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    /** The scheduler's settings ({@code [plugins."io.containerd.gc.v1.scheduler"]}). */
    record Settings(double pauseThreshold, int deletionThreshold, Duration scheduleDelay, Duration startupDelay) {
    }

    private final Supplier<Collector.Stats> collector;
    private final Settings settings;
    private final ScheduledExecutorService executor;
    private volatile Thread gcThread;

    // guarded by this
    private ScheduledFuture<?> next;
    private long nextAtNanos;
    private long lastEndNanos;
    private boolean collected;
    private int deletions;
    private long totalNanos;
    private int collections;
    private long intervalNanos = TimeUnit.SECONDS.toNanos(1);
    private List<CompletableFuture<Collector.Stats>> waiters = new ArrayList<>();

    Scheduler(Supplier<Collector.Stats> collector, Settings settings) {
        this.collector = collector;
        this.settings = settings;
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "jcontainerd-gc");
            t.setDaemon(true);
            gcThread = t;
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        this.executor = ex;
        synchronized (this) {
            scheduleIn(settings.startupDelay().toNanos());
        }
    }

    /** A write removed records (the collector's own removals do not count). */
    synchronized void deleted() {
        if (Thread.currentThread() == gcThread) {
            return;
        }
        deletions++;
        if (settings.deletionThreshold() == 0 || deletions >= settings.deletionThreshold()) {
            long now = System.nanoTime();
            long earliest = collected ? lastEndNanos + intervalNanos - now : 0;
            long in = Math.max(earliest, settings.scheduleDelay().toNanos());
            if (next == null || nextAtNanos - now > in) {
                scheduleIn(in);
            }
        }
    }

    /** Runs a collection that starts after this call and waits for it. */
    Collector.Stats collectNow() {
        CompletableFuture<Collector.Stats> done = new CompletableFuture<>();
        synchronized (this) {
            waiters.add(done);
            long delay = settings.scheduleDelay().toNanos();
            if (next == null || nextAtNanos - System.nanoTime() > delay) {
                scheduleIn(delay);
            }
        }
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for garbage collection", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("garbage collection failed", cause);
        }
    }

    private void scheduleIn(long nanos) {
        if (next != null) {
            next.cancel(false);
        }
        nextAtNanos = System.nanoTime() + nanos;
        next = executor.schedule(this::run, nanos, TimeUnit.NANOSECONDS);
    }

    private void run() {
        List<CompletableFuture<Collector.Stats>> served;
        synchronized (this) {
            next = null;
            served = waiters;
            waiters = new ArrayList<>();
            deletions = 0;
        }
        long start = System.nanoTime();
        Collector.Stats stats = null;
        RuntimeException failure = null;
        try {
            stats = collector.get();
        } catch (RuntimeException e) {
            failure = e;
            LOG.log(System.Logger.Level.ERROR, "garbage collection failed", e);
        }
        long end = System.nanoTime();
        synchronized (this) {
            collected = true;
            lastEndNanos = end;
            totalNanos += end - start;
            collections++;
            if (settings.pauseThreshold() > 0) {
                double avg = (double) totalNanos / collections;
                intervalNanos = (long) (avg / settings.pauseThreshold() - avg);
            }
            if (!waiters.isEmpty()) {
                scheduleIn(settings.scheduleDelay().toNanos());
            } else if (deletions > 0) {
                scheduleIn(Math.max(intervalNanos, settings.scheduleDelay().toNanos()));
            }
        }
        if (stats != null) {
            LOG.log(System.Logger.Level.DEBUG, () -> "garbage collected in " + (end - start) / 1000 + " µs");
        }
        for (CompletableFuture<Collector.Stats> w : served) {
            if (failure != null) {
                w.completeExceptionally(failure);
            } else {
                w.complete(stats);
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        synchronized (this) {
            for (CompletableFuture<Collector.Stats> w : waiters) {
                w.completeExceptionally(new IllegalStateException("garbage collector stopped"));
            }
            waiters.clear();
        }
    }
}
