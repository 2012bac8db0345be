package io.jcontainerd.runtime.v2;

import com.google.protobuf.ByteString;
import io.jcontainerd.ttrpc.TtrpcClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Shims started ahead of their tasks. A shim's start (its binary runs twice: {@code start}, then the
 * shim itself) and the connection to it lie on the path of every task's create; a warm shim takes them
 * off it. A warm shim is an ordinary shim started in a placeholder bundle with an empty spec; the create
 * that takes it renames that directory to the task's bundle (the shim's working directory, where it
 * keeps its address and log, follows the rename) and creates the task in it under the task's own id.
 * <p>
 * Shims are kept per {@link Key} that a create used within {@link #idle}: as many as the most creates
 * under way at once within {@code idle} (one for creates that come one at a time, ten after a burst of
 * ten), up to {@code max}. They are started one at a time, {@link #SETTLE} after the last create ended
 * and only while no create or delete is under way, so that starting them never competes with a create
 * and a deleted task's shim can come back first; a key
 * unused for {@code idle} has its shims stopped, and so has every key on {@link #close}. A warm shim
 * whose connection closes is dropped. A shim whose task was deleted can be {@link #offer offered} back
 * and is kept if its key still wants one, so that a task that ends soon after its create spares the
 * next one a start. Which shim can be taken, how shims are started and stopped is the caller's
 * ({@code start}, {@code stop}).
 */
final class WarmShims implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WarmShims.class.getName());

    /**
     * What a shim is started with, besides the daemon's fixed settings.
     *
     * @param namespace the namespace the shim publishes its events in
     * @param binary    the shim binary
     * @param options   the options its start reads on stdin (empty for none)
     */
    record Key(String namespace, Path binary, ByteString options) {
        /** The options as the shim's start takes them: null for none. */
        byte[] optionBytes() {
            return options.isEmpty() ? null : options.toByteArray();
        }
    }

    /**
     * A started shim waiting for a task.
     *
     * @param bundle its placeholder bundle
     * @param socket its ttrpc socket
     * @param client the connection to it
     * @param log    the copy of its log
     * @param served how many tasks it has served
     */
    record Warm(Bundle bundle, Path socket, TtrpcClient client, ShimLog log, int served, AtomicBoolean claimed) {
        Warm(Bundle bundle, Path socket, TtrpcClient client, ShimLog log, int served) {
            this(bundle, socket, client, log, served, new AtomicBoolean());
        }

        /** True for exactly one caller: the create that takes it, or whoever stops it. */
        boolean claim() {
            return claimed.compareAndSet(false, true);
        }
    }

    /**
     * How long after the last create ended shims start: a task is usually started within this time, and
     * a shim's start (two processes, both cores for some milliseconds) should not crowd its first
     * moments, where its shim races its exit against an OOM notice, for one.
     */
    static final Duration SETTLE = Duration.ofMillis(40);

    private final int max;
    private final Duration settle;
    private final Duration idle;
    private final Function<Key, Warm> start;
    private final Consumer<Warm> stop;
    private final LongSupplier clock;
    /** Guarded by this. */
    private final Map<Key, Deque<Warm>> ready = new HashMap<>();
    /** When each key was last asked for, by {@link #clock}; guarded by this. */
    private final Map<Key, Long> used = new HashMap<>();
    /** Creates under way; guarded by this. */
    private int creating;
    /** Deletes under way, each until its shim is back or stopped; guarded by this. */
    private int deleting;
    /** The most creates under way at once since {@link #peakAt}; guarded by this. */
    private int peak = 1;
    private long peakAt;
    private boolean closed;
    private final ScheduledExecutorService worker;

    /**
     * @param max    the most shims to keep per key (0: none, and nothing is started)
     * @param idle   how long a key's shims are kept after its last use
     * @param settle how long after the last create ended shims start ({@link #SETTLE} in the daemon)
     * @param start  starts a shim for a key (throws if it cannot)
     * @param stop   stops a shim that no task took and removes its bundle
     * @param clock  nanoseconds, for the idle times
     */
    WarmShims(int max, Duration idle, Duration settle, Function<Key, Warm> start, Consumer<Warm> stop,
            LongSupplier clock) {
        this.max = Math.max(0, max);
        this.settle = settle;
        this.idle = idle;
        this.start = start;
        this.stop = stop;
        this.clock = clock;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warm-shims");
            t.setDaemon(true);
            return t;
        });
        if (this.max > 0) {
            long period = Math.max(1, idle.toMillis() / 2);
            worker.scheduleWithFixedDelay(this::refill, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /** A create begins: nothing is started until every create under way has {@link #end ended}. */
    synchronized void begin() {
        creating++;
        if (creating >= peak) {
            peak = creating;
            peakAt = clock.getAsLong();
        }
    }

    /** How many shims to keep per key: the largest burst of creates within {@link #idle}, at most {@link #max}. */
    synchronized int target() {
        if (peak > 1 && clock.getAsLong() - peakAt >= idle.toNanos()) {
            peak = 1;
        }
        return Math.min(peak, max);
    }

    /** A create ended; the last create or delete to end lets the refill run. */
    void end() {
        synchronized (this) {
            creating--;
        }
        refillWhenIdle();
    }

    /**
     * A task's delete begins: nothing is started until it has ended, since its shim may be {@link
     * #offer offered} back (after a burst of short tasks, all of theirs are) and a shim started
     * meanwhile would then be one too many. Answers what ends it, its shim given back or stopped: the
     * first run counts, any later one does nothing; the last create or delete to end lets the refill run.
     */
    Runnable deleting() {
        synchronized (this) {
            deleting++;
        }
        AtomicBoolean ended = new AtomicBoolean();
        return () -> {
            if (ended.compareAndSet(false, true)) {
                synchronized (this) {
                    deleting--;
                }
                refillWhenIdle();
            }
        };
    }

    /** Schedules a refill {@link #settle} from now, unless a create or delete is under way (its end will). */
    private void refillWhenIdle() {
        synchronized (this) {
            if (!idle() || closed || max == 0) {
                return;
            }
        }
        try {
            worker.schedule(this::refill, settle.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // closed meanwhile
        }
    }

    /**
     * A warm shim for {@code key}, or null if none is ready; either way the key counts as used, so
     * shims are kept for it from now on.
     */
    Warm take(Key key) {
        if (max == 0) {
            return null;
        }
        synchronized (this) {
            if (closed) {
                return null;
            }
            used.put(key, clock.getAsLong());
            Deque<Warm> q = ready.get(key);
            while (q != null && !q.isEmpty()) {
                Warm w = q.poll();
                if (!w.client().closed().isDone() && w.claim()) { // a closed one is being dropped
                    return w;
                }
            }
            return null;
        }
    }

    /** Whether a shim for {@code key} would be kept now: one was asked for lately and fewer are ready than wanted. */
    synchronized boolean wants(Key key) {
        return !closed && used.containsKey(key) && ready(key) < target();
    }

    /**
     * A shim whose task was deleted, for the next task of {@code key}: kept if it is {@link #wants
     * wanted} and its connection is open (true), else left to the caller (false).
     */
    boolean offer(Key key, Warm w) {
        synchronized (this) {
            if (!wants(key) || w.client().closed().isDone()) {
                return false;
            }
            ready.computeIfAbsent(key, k -> new ArrayDeque<>()).add(w);
        }
        w.client().closed().thenRun(() -> dropClosed(key, w));
        return true;
    }

    /** How many shims are ready for tasks of {@code namespace}. */
    synchronized int readyIn(String namespace) {
        return ready.entrySet().stream().filter(e -> e.getKey().namespace().equals(namespace))
                .mapToInt(e -> e.getValue().size()).sum();
    }

    /** How many shims are ready for {@code key}. */
    synchronized int ready(Key key) {
        Deque<Warm> q = ready.get(key);
        return q == null ? 0 : q.size();
    }

    /**
     * Stops the shims of keys unused for {@link #idle} and those beyond the target, then starts shims for
     * the other keys up to the target.
     */
    private void refill() {
        for (Warm w : expire()) {
            stop.accept(w);
        }
        for (Key key : wanted()) {
            while (needs(key)) {
                Warm w;
                try {
                    w = start.apply(key);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "warm shim for " + key.namespace() + " (" + key.binary()
                            + "): " + e.getMessage());
                    break; // tried again after the next create
                }
                if (!add(key, w)) {
                    if (w.claim()) {
                        stop.accept(w);
                    }
                    break;
                }
                w.client().closed().thenRun(() -> dropClosed(key, w));
            }
        }
    }

    private synchronized List<Warm> expire() {
        List<Warm> out = new ArrayList<>();
        int keep = target();
        for (Deque<Warm> q : ready.values()) {
            while (q.size() > keep) {
                Warm w = q.pollLast();
                if (w.claim()) {
                    out.add(w);
                }
            }
        }
        long now = clock.getAsLong();
        used.entrySet().removeIf(e -> {
            if (now - e.getValue() < idle.toNanos()) {
                return false;
            }
            Deque<Warm> q = ready.remove(e.getKey());
            if (q != null) {
                q.stream().filter(Warm::claim).forEach(out::add);
            }
            return true;
        });
        return out;
    }

    private synchronized List<Key> wanted() {
        return new ArrayList<>(used.keySet());
    }

    private synchronized boolean needs(Key key) {
        return idle() && wants(key);
    }

    /** No create or delete under way; guarded by this. */
    private boolean idle() {
        return creating == 0 && deleting == 0;
    }

    /**
     * Adds a shim just started for {@code key}, unless the pool closed or no longer wants one: a shim
     * {@link #offer offered} back while this one started may have taken its place.
     */
    private synchronized boolean add(Key key, Warm w) {
        if (!wants(key)) {
            return false;
        }
        ready.computeIfAbsent(key, k -> new ArrayDeque<>()).add(w);
        return true;
    }

    /** A warm shim went away: it leaves the pool and its bundle is removed. */
    private void dropClosed(Key key, Warm w) {
        if (!w.claim()) {
            return; // taken, or being stopped
        }
        synchronized (this) {
            Deque<Warm> q = ready.get(key);
            if (q != null) {
                q.remove(w);
            }
        }
        stop.accept(w);
    }

    /** Stops every warm shim; a start under way finishes first and is then stopped too. */
    @Override
    public void close() {
        List<Warm> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            ready.values().forEach(q -> q.stream().filter(Warm::claim).forEach(all::add));
            ready.clear();
        }
        worker.shutdown();
        for (Warm w : all) {
            stop.accept(w);
        }
        try {
            if (!worker.awaitTermination(70, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "a warm shim's start did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
