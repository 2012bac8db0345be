package io.jcontainerd.runtime.v2;

import com.google.protobuf.InvalidProtocolBufferException;
import containerd.events.TaskDelete;
import containerd.events.TaskExit;
import containerd.runc.v1.Options;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.mount.Mounter;
import io.jcontainerd.runtime.CreateOpts;
import io.jcontainerd.runtime.Exit;
import io.jcontainerd.runtime.PlatformRuntime;
import io.jcontainerd.runtime.RuntimeTask;
import io.jcontainerd.ttrpc.TtrpcClient;
import io.jcontainerd.types.TypedValue;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import io.jcontainerd.plugin.GoDuration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The v2 task runtime (containerd's shim manager and task manager in one): one shim per task at a time,
 * started from the task's bundle or ahead of it (see {@link WarmShims}), reached over ttrpc. A shim
 * whose connection closes before its task was deleted through it is cleaned up with its {@code delete}
 * command; if its task was still listed, the task's exit and deletion are published here, since the
 * shim can no longer publish them.
 */
public class ShimManager implements PlatformRuntime {
    private static final System.Logger LOG = System.getLogger(ShimManager.class.getName());
    static final String RUNC_OPTIONS = "containerd.runc.v1.Options";

    /**
     * containerd's {@code [timeouts]} for shims, each under its containerd key.
     *
     * @param load      how long a shim found at start-up has to answer ({@value #LOAD})
     * @param shutdown  how long a shim's Shutdown may take ({@value #SHUTDOWN})
     * @param cleanup   how long the cleanup after a shim's connection closed may take ({@value #CLEANUP})
     * @param taskState the bound on the state queries of Get and List ({@value #TASK_STATE})
     */
    public record Timeouts(Duration load, Duration shutdown, Duration cleanup, Duration taskState) {
        public static final String LOAD = "io.containerd.timeout.shim.load";
        public static final String SHUTDOWN = "io.containerd.timeout.shim.shutdown";
        public static final String CLEANUP = "io.containerd.timeout.shim.cleanup";
        public static final String TASK_STATE = "io.containerd.timeout.task.state";
        public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(3),
                Duration.ofSeconds(5), Duration.ofSeconds(2));

        /** The timeouts given by {@code values} (Go durations by containerd key), the defaults for the rest. */
        public static Timeouts from(java.util.function.Function<String, String> values) {
            return new Timeouts(of(values, LOAD, DEFAULTS.load), of(values, SHUTDOWN, DEFAULTS.shutdown),
                    of(values, CLEANUP, DEFAULTS.cleanup), of(values, TASK_STATE, DEFAULTS.taskState));
        }

        private static Duration of(java.util.function.Function<String, String> values, String key, Duration fallback) {
            String v = values.apply(key);
            return v == null || v.isBlank() ? fallback : GoDuration.parse(v);
        }

        /** The longest a shim's stopping after its task's deletion takes: Shutdown, then the connection's cleanup. */
        Duration stop() {
            return shutdown.plus(cleanup).plusSeconds(1);
        }
    }

    /**
     * Where and how shims run.
     *
     * @param root          the plugin's root directory (the tasks' work directories)
     * @param state         the plugin's state directory (the bundles)
     * @param runcRoot      runc's state root handed to runc shims, so that tasks never meet another
     *                      containerd's on the same host
     * @param grpcAddress   the daemon's gRPC socket
     * @param ttrpcAddress  the daemon's ttrpc socket
     * @param publishBinary the daemon executable named to shims
     * @param searchPath    the PATH to find shims on
     * @param debug         whether shims log at debug level
     * @param timeouts      containerd's {@code [timeouts]} for shims
     * @param warm          how many shims are started ahead of their tasks (see {@link WarmShims})
     */
    public record Config(Path root, Path state, Path runcRoot, String grpcAddress, String ttrpcAddress,
            String publishBinary, String searchPath, boolean debug, Timeouts timeouts, Warming warm) {
    }

    /**
     * Shims started ahead of their tasks, so that a create need not wait for its shim's start.
     *
     * @param max  the most kept ready per namespace, shim and options that creates used (0: none); as many
     *             are kept as creates were under way at once lately
     * @param idle how long they are kept after the last create that could have used them, and how long
     *             a burst of creates counts
     */
    public record Warming(int max, Duration idle) {
        public static final Warming DEFAULTS = new Warming(10, Duration.ofMinutes(5));
        public static final Warming NONE = new Warming(0, DEFAULTS.idle);
    }

    /** The placeholder bundle of a warm shim is {@code <state>/<ns>/.warm~<n>}: no task id starts so. */
    static final String WARM = "warm~";
    /** A spec annotation that puts tasks in one shim; a warm shim cannot join such a group. */
    private static final List<String> GROUP_LABELS = List.of("io.containerd.runc.v2.group",
            "io.kubernetes.cri.sandbox-id");
    /** The shim that warm shims are of: runc's, whose tasks are created under their own id and bundle. */
    private static final String WARMABLE_SHIM = "containerd-shim-runc-v2";
    /**
     * The most tasks one warm shim serves: after its task's deletion a warm shim goes back to the warm
     * shims while they want one, up to this many tasks, and then stops as any shim does. This also
     * bounds what its connection keeps: a listener for its closing per task it served.
     */
    static final int MAX_SERVED = 100;

    private final Config config;
    private final ShimBinaries binaries;
    private final EventPublisher events;
    private final Mounter mounter;
    private final PrintStream logSink;
    /** namespace → id → task; an id is reserved (value absent) while its shim starts. */
    private final Map<String, Map<String, Entry>> tasks = new ConcurrentHashMap<>();
    /** Runs the cleanups after shims go away (each waits for a shim command). */
    private final java.util.concurrent.ExecutorService cleanups = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "shim-cleanup");
        t.setDaemon(true);
        return t;
    });
    /**
     * Shims being stopped after their task was deleted, by namespace and id: the shutdown, the closing
     * of the connection and the bundle's removal go on after the delete has answered. A task created
     * again under the same id waits for them.
     */
    private final Map<String, CompletableFuture<Void>> stopping = new ConcurrentHashMap<>();
    private volatile boolean closing;
    /** The reconnection to the shims of a previous daemon ({@link #loadExisting}). */
    private volatile CompletableFuture<Void> restored = CompletableFuture.completedFuture(null);
    private final WarmShims warm;
    private final int maxServed;

    private static final class Entry {
        volatile ShimTask task;
        /** The shim deleted its task and was told to shut down: nothing is left for its delete command. */
        volatile boolean deleted;
        /** The shim's socket. */
        volatile Path socket;
        /** A warm shim's key, for its return to the warm shims after the task's deletion; null for others. */
        volatile WarmShims.Key warmKey;
        /** How many tasks the shim has served, this one included. */
        volatile int served = 1;
        /** The shim went back to the warm shims: its connection and log are no longer this task's. */
        volatile boolean recycled;
        final CompletableFuture<Void> cleaned = new CompletableFuture<>();
        ShimLog log;
    }

    public ShimManager(Config config, EventPublisher events, Mounter mounter, PrintStream logSink) {
        this(config, events, mounter, logSink, WarmShims.SETTLE, MAX_SERVED);
    }

    /** As above; warm shims start {@code settle} after the last create, and serve up to {@code maxServed} tasks. */
    ShimManager(Config config, EventPublisher events, Mounter mounter, PrintStream logSink, Duration settle,
            int maxServed) {
        this.config = config;
        this.binaries = new ShimBinaries(config.searchPath());
        this.events = events;
        this.mounter = mounter;
        this.logSink = logSink;
        this.maxServed = maxServed;
        this.warm = new WarmShims(config.warm().max(), config.warm().idle(), settle, this::startWarm, this::stopWarm,
                System::nanoTime);
    }

    @Override
    public String id() {
        return "io.containerd.runtime.v2.task";
    }

    private Map<String, Entry> ns(String namespace) {
        return tasks.computeIfAbsent(namespace, k -> new ConcurrentHashMap<>());
    }

    @Override
    public RuntimeTask create(String namespace, String id, CreateOpts opts) {
        Entry entry = new Entry();
        if (ns(namespace).putIfAbsent(id, entry) != null) {
            throw Errdefs.alreadyExists("task %s", id);
        }
        boolean ok = false;
        warm.begin();
        try {
            awaitStopped(namespace, id);
            ShimTask task = startShim(namespace, id, opts, entry);
            try {
                task.create(opts.rootfs(), opts.io(), opts.checkpoint(), options(opts, task.binary.binary()));
            } catch (ContainerdException e) {
                ns(namespace).remove(id, entry);
                try {
                    task.delete();
                } catch (ContainerdException ignored) {
                    // nothing was created
                }
                stopShim(task, entry);
                throw e.wrap("failed to create shim task");
            }
            entry.task = task;
            ok = true;
            return task;
        } finally {
            warm.end();
            if (!ok) {
                ns(namespace).remove(id, entry);
            }
        }
    }

    private ShimTask startShim(String namespace, String id, CreateOpts opts, Entry entry) {
        Path binary;
        try {
            binary = binaries.resolve(opts.runtime());
        } catch (ContainerdException e) {
            throw e.wrap("failed to start shim: failed to resolve runtime path");
        }
        TypedValue options = options(opts, binary);
        WarmShims.Key key = new WarmShims.Key(namespace, binary,
                options == null ? com.google.protobuf.ByteString.EMPTY : Protos.any(options).toByteString());
        byte[] spec = opts.spec().value();
        WarmShims.Warm w = warmable(binary, spec) ? warm.take(key) : null;
        Bundle bundle;
        try {
            bundle = w != null ? Bundle.adopt(w.bundle().path(), config.root(), config.state(), namespace, id, spec)
                    : Bundle.create(config.root(), config.state(), namespace, id, spec);
        } catch (ContainerdException e) {
            if (w != null) {
                try {
                    cleanups.execute(() -> stopWarm(w));
                } catch (RejectedExecutionException closing) {
                    stopWarm(w);
                }
            }
            throw e.wrap("failed to start shim");
        }
        ShimBinary shim = new ShimBinary(binary, bundle, config.grpcAddress(), config.ttrpcAddress(),
                config.publishBinary(), config.debug());
        try {
            TtrpcClient client;
            if (w != null) {
                entry.log = w.log();
                entry.socket = w.socket();
                entry.warmKey = key;
                entry.served = w.served() + 1;
                client = w.client();
            } else {
                entry.log = ShimLog.open(bundle, logSink);
                entry.socket = shim.start(key.optionBytes());
                client = TtrpcClient.connect(entry.socket);
            }
            ShimTask task = new ShimTask(bundle, shim, client, config.timeouts().taskState());
            client.closed().thenRunAsync(() -> afterClose(task, entry), cleanups);
            java.nio.file.Files.writeString(bundle.path().resolve("shim-binary-path"), binary.toString());
            java.nio.file.Files.setPosixFilePermissions(bundle.path().resolve("shim-binary-path"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            return task;
        } catch (IOException | RuntimeException e) {
            if (w != null) {
                stopQuietly(bundle, w.client());
            }
            if (entry.log != null) {
                entry.log.close();
            }
            try {
                bundle.delete(mounter);
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof ContainerdException ce) {
                throw ce.wrap("failed to start shim");
            }
            throw new ContainerdException(ErrorCode.UNKNOWN, "failed to start shim: " + e.getMessage(), e);
        }
    }

    /** How many warm shims are ready for tasks of {@code namespace}. */
    int warmShimsReady(String namespace) {
        return warm.readyIn(namespace);
    }

    /** Whether a warm shim can take this task: a runc shim, and no spec annotation groups tasks in one shim. */
    static boolean warmable(Path binary, byte[] spec) {
        if (!binary.getFileName().toString().equals(WARMABLE_SHIM)) {
            return false;
        }
        String text = new String(spec, java.nio.charset.StandardCharsets.ISO_8859_1);
        return GROUP_LABELS.stream().noneMatch(text::contains);
    }

    /**
     * Starts a shim in a {@link Bundle#placeholder placeholder bundle}, as {@link ShimBinary#start}
     * starts any, and connects to it.
     */
    private WarmShims.Warm startWarm(WarmShims.Key key) {
        String id = newWarmId();
        Bundle placeholder = null;
        ShimLog log = null;
        try {
            placeholder = Bundle.placeholder(config.state(), key.namespace(), id);
            log = ShimLog.open(placeholder, logSink);
            ShimBinary shim = new ShimBinary(key.binary(), placeholder, config.grpcAddress(), config.ttrpcAddress(),
                    config.publishBinary(), config.debug());
            Path socket = shim.start(key.optionBytes());
            return new WarmShims.Warm(placeholder, socket, TtrpcClient.connect(socket), log, 0);
        } catch (IOException | RuntimeException e) {
            if (log != null) {
                log.close();
            }
            if (placeholder != null) {
                removeQuietly(placeholder.path());
            }
            throw e instanceof RuntimeException re ? re : new java.io.UncheckedIOException(e.getMessage(), (IOException) e);
        }
    }

    /** A fresh id for a warm shim's placeholder bundle. */
    private static String newWarmId() {
        return WARM + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1);
    }

    /** Stops a warm shim that no task took and removes its placeholder bundle. */
    private void stopWarm(WarmShims.Warm w) {
        stopQuietly(w.bundle(), w.client());
        w.log().close();
        removeIfDead(w.socket());
        removeQuietly(w.bundle().path());
    }

    /** Asks a shim without tasks to exit and closes the connection. */
    private void stopQuietly(Bundle bundle, TtrpcClient client) {
        try {
            new ShimTask(bundle, null, client, config.timeouts().taskState()).shutdown(config.timeouts().shutdown());
        } catch (ContainerdException e) {
            LOG.log(System.Logger.Level.WARNING, "failed to shutdown shim " + bundle.path() + ": " + e.getMessage());
        }
        client.close();
    }

    /**
     * A warm shim a previous daemon left: asked to exit (a dead one's socket is removed), its bundle
     * removed. Its log gets a reader first: a shim whose start the daemon did not outlive waits for one
     * before it serves.
     */
    private void stopLeftWarm(String ns, Path dir) {
        Path socket = null;
        Bundle left = new Bundle(dir.getFileName().toString().substring(1), ns, dir);
        try (ShimLog log = ShimLog.open(left, logSink)) {
            socket = ShimBinary.socketOf(java.nio.file.Files.readString(dir.resolve("address")));
            stopQuietly(left, TtrpcClient.connect(socket));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "warm shim " + dir + " left by a previous run: " + e);
        }
        removeIfDead(socket);
        removeQuietly(dir);
    }

    /**
     * The options for the shim: the task's, else the container's runtime options; runc options get
     * our runc root unless they name one, and runc shims get options even when the client sent none.
     */
    TypedValue options(CreateOpts opts, Path binary) {
        TypedValue o = opts.taskOptions() != null ? opts.taskOptions() : opts.runtimeOptions();
        boolean runc = binary.getFileName().toString().startsWith("containerd-shim-runc-");
        try {
            if (o != null && RUNC_OPTIONS.equals(o.typeUrl())) {
                Options parsed = Options.parseFrom(o.value());
                if (!parsed.getRoot().isEmpty()) {
                    return o;
                }
                return new TypedValue(RUNC_OPTIONS, parsed.toBuilder().setRoot(config.runcRoot().toString())
                        .build().toByteArray());
            }
        } catch (InvalidProtocolBufferException e) {
            throw Errdefs.invalidArgument("runc options: %s", e.getMessage());
        }
        if (o == null && runc) {
            return new TypedValue(RUNC_OPTIONS, Options.newBuilder().setRoot(config.runcRoot().toString())
                    .build().toByteArray());
        }
        return o;
    }

    @Override
    public RuntimeTask get(String namespace, String id) {
        Map<String, Entry> m = tasks.get(namespace);
        Entry e = m == null ? null : m.get(id);
        if (e == null || e.task == null) {
            throw Errdefs.notFound("task %s", id);
        }
        return e.task;
    }

    @Override
    public List<RuntimeTask> tasks(String namespace) {
        List<RuntimeTask> out = new ArrayList<>();
        tasks.forEach((n, m) -> {
            if (namespace == null || namespace.equals(n)) {
                m.values().forEach(e -> {
                    if (e.task != null) {
                        out.add(e.task);
                    }
                });
            }
        });
        return out;
    }

    /**
     * Task/Delete, then the task leaves the list (so its shim's exit publishes nothing) and the delete
     * answers; the shim's Shutdown, the closing of its connection and the bundle's removal follow in
     * the background (see {@link #stopping}), or a warm shim's {@link #recycle return} to the warm
     * shims. Only when the shim could not delete its task does the shim's {@code delete} command run,
     * and then all of it before answering (a clean end needs none, and its delayed run could meet a
     * new task of the same id).
     */
    @Override
    public Exit delete(String namespace, String id) {
        Map<String, Entry> m = tasks.get(namespace);
        Entry entry = m == null ? null : m.get(id);
        if (entry == null || entry.task == null) {
            throw Errdefs.notFound("task %s", id);
        }
        ShimTask task = entry.task;
        Runnable end = warm.deleting();
        try {
            return deleteTask(namespace, id, m, entry, task, end);
        } catch (RuntimeException | Error e) {
            end.run();
            throw e;
        }
    }

    /**
     * {@link #delete}'s work. Once it has answered, the shim's recycling or stopping that follows runs
     * {@code end}, which ends the delete for the warm shims.
     */
    private Exit deleteTask(String namespace, String id, Map<String, Entry> m, Entry entry, ShimTask task,
            Runnable end) {
        Exit exit = null;
        ContainerdException shimError = null;
        try {
            exit = task.delete();
        } catch (ContainerdException e) {
            boolean closed = e.getCause() instanceof io.jcontainerd.ttrpc.TtrpcClosedException;
            // containerd passes a closed connection on as it is, without reading it as a status
            shimError = closed ? new ContainerdException(ErrorCode.UNKNOWN, "failed to delete task: ttrpc: closed", e)
                    : e.wrap("failed to delete task");
            if (!closed && e.code() != ErrorCode.NOT_FOUND) {
                throw shimError;
            }
        }
        if (shimError != null) {
            stopShim(task, entry);
            m.remove(id, entry);
            throw shimError;
        }
        entry.deleted = true;
        String key = stoppingKey(namespace, id);
        try {
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
                try {
                    if (!recycle(task, entry)) {
                        stopShim(task, entry);
                    }
                } finally {
                    end.run();
                }
            }, cleanups);
            stopping.put(key, stopped); // before the id is free again, so that a new create finds it
            stopped.whenComplete((v, e) -> stopping.remove(key, stopped));
        } catch (RejectedExecutionException closed) {
            try {
                stopShim(task, entry);
            } finally {
                end.run();
            }
        }
        m.remove(id, entry);
        return exit;
    }

    private static String stoppingKey(String namespace, String id) {
        return namespace + "/" + id;
    }

    /** Waits for the stopping of a deleted task's shim under this id, if there is one. */
    private void awaitStopped(String namespace, String id) {
        CompletableFuture<Void> stopped = stopping.get(stoppingKey(namespace, id));
        if (stopped == null) {
            return;
        }
        try {
            stopped.get(config.timeouts().stop().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerdException(ErrorCode.CANCELED, "task " + id + ": the previous shim is still stopping", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ContainerdException(ErrorCode.FAILED_PRECONDITION,
                    "task " + id + ": the previous shim is still stopping", e);
        }
    }

    /**
     * Gives a deleted task's warm shim back to the warm shims if they want one for its key and it has
     * served fewer than {@link #maxServed} tasks: its bundle becomes a placeholder bundle again
     * ({@link Bundle#recycle}). False if it was not given back (the bundle is then where it was, or
     * gone), and the caller stops it as any shim; true if it was given back, or stopped here as a warm
     * shim when the warm shims had meanwhile got enough.
     */
    private boolean recycle(ShimTask task, Entry entry) {
        WarmShims.Key key = entry.warmKey;
        if (key == null || closing || entry.served >= maxServed || !warm.wants(key)) {
            return false;
        }
        Bundle placeholder;
        try {
            placeholder = task.bundle.recycle(mounter, newWarmId());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "shim of " + task.id() + " not kept warm: " + e);
            return false;
        }
        entry.recycled = true;
        WarmShims.Warm w = new WarmShims.Warm(placeholder, entry.socket, task.client, entry.log, entry.served);
        if (!warm.offer(key, w)) {
            stopWarm(w);
        }
        return true;
    }

    private void stopShim(ShimTask task, Entry entry) {
        try {
            task.shutdown(config.timeouts().shutdown());
        } catch (ContainerdException e) {
            LOG.log(System.Logger.Level.WARNING, "failed to shutdown shim task " + task.id() + ": " + e.getMessage());
        }
        task.client.close();
        try {
            entry.cleaned.get(config.timeouts().cleanup().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "shim " + task.id() + " cleanup: " + e);
        }
        try {
            task.bundle.delete(mounter);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "failed to delete bundle " + task.bundle.path() + ": " + e);
        }
    }

    /** After the shim's connection closed: its delete command, and the events if its task was still listed. */
    private void afterClose(ShimTask task, Entry entry) {
        if (closing || entry.recycled) {
            return; // the daemon stops and the shim goes on, or the shim is a warm one again
        }
        String ns = task.namespace();
        String id = task.id();
        if (entry.deleted) {
            // a clean end: the task was deleted through the shim, which then shut down
            if (entry.log != null) {
                entry.log.close();
            }
            entry.cleaned.complete(null);
            return;
        }
        Exit exit = cleanUpGone(task.bundle, task.binary, entry.socket);
        if (entry.log != null) {
            entry.log.close();
        }
        Map<String, Entry> m = tasks.get(ns);
        if (m != null && m.remove(id, entry)) {
            publishExit(ns, id, exit != null ? exit : new Exit(0, 255, Instant.now()));
        }
        entry.cleaned.complete(null);
    }

    /**
     * What is left of a shim that went away without its task being deleted through it: the shim's
     * {@code delete} command (which reports the task's exit, or null if it could not run), its socket
     * if nothing answers there any more, and the bundle.
     */
    private Exit cleanUpGone(Bundle bundle, ShimBinary binary, Path socket) {
        Exit exit = null;
        try {
            exit = binary == null ? null : binary.delete();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "failed to clean up after shim " + bundle.path() + ": " + e.getMessage());
        }
        removeIfDead(socket);
        try {
            bundle.delete(mounter);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "failed to delete bundle " + bundle.path() + ": " + e);
        }
        return exit;
    }

    /** The events a shim would have published for its task's end, had it not gone away. */
    private void publishExit(String ns, String id, Exit exit) {
        publish(ns, "/tasks/exit", TaskExit.newBuilder().setContainerId(id).setId(id).setPid(exit.pid())
                .setExitStatus(exit.status()).setExitedAt(Protos.timestamp(exit.timestamp())).build());
        publish(ns, "/tasks/delete", TaskDelete.newBuilder().setContainerId(id).setPid(exit.pid())
                .setExitStatus(exit.status()).setExitedAt(Protos.timestamp(exit.timestamp())).build());
    }

    private void publish(String ns, String topic, com.google.protobuf.Message event) {
        try {
            events.publish(ns, topic, new TypedValue("containerd.events." + event.getDescriptorForType().getName(),
                    event.toByteArray()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "publish " + topic + ": " + e);
        }
    }

    /**
     * Finds the bundles left by a previous run (shims outlive the daemon) and reconnects to their
     * shims, all in parallel, each bounded by the load timeout; a shim that does not answer is
     * cleaned up with its delete command and its task's exit published; warm shims it had started
     * and no task took are stopped. Tasks show up as they load; nothing waits for this.
     */
    public CompletableFuture<Void> loadExisting() {
        List<CompletableFuture<Void>> loads = new ArrayList<>();
        for (Path nsDir : list(config.state())) {
            String ns = nsDir.getFileName().toString();
            if (!java.nio.file.Files.isDirectory(nsDir) || ns.startsWith(".")) {
                continue;
            }
            for (Path dir : list(nsDir)) {
                String id = dir.getFileName().toString();
                if (id.startsWith("." + WARM)) {
                    loads.add(CompletableFuture.runAsync(() -> stopLeftWarm(ns, dir), cleanups));
                } else if (id.startsWith(".")) { // a bundle whose removal was interrupted
                    cleanups.execute(() -> removeQuietly(dir));
                } else if (java.nio.file.Files.isDirectory(dir)) {
                    loads.add(CompletableFuture.runAsync(() -> load(ns, id), cleanups));
                }
            }
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new));
        restored = all.handle((ok, failure) -> null);
        return all;
    }

    @Override
    public CompletableFuture<Void> restored() {
        return restored;
    }

    private static List<Path> list(Path dir) {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void removeQuietly(Path dir) {
        try {
            Bundle.removeTree(dir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "remove " + dir + ": " + e);
        }
    }

    private void load(String ns, String id) {
        Bundle bundle = Bundle.load(config.state(), ns, id);
        Path binaryPath = null;
        try {
            binaryPath = Path.of(java.nio.file.Files.readString(bundle.path().resolve("shim-binary-path")).trim());
        } catch (IOException e) {
            // the shim never started completely
        }
        ShimBinary binary = binaryPath == null ? null : new ShimBinary(binaryPath, bundle, config.grpcAddress(),
                config.ttrpcAddress(), config.publishBinary(), config.debug());
        Entry entry = new Entry();
        if (ns(ns).putIfAbsent(id, entry) != null) {
            return;
        }
        TtrpcClient client = null;
        try {
            // first: a shim started just before the previous daemon died waits for a reader of its log to serve
            entry.log = ShimLog.open(bundle, logSink);
            entry.socket = ShimBinary.socketOf(java.nio.file.Files.readString(bundle.path().resolve("address")));
            client = TtrpcClient.connect(entry.socket);
            ShimTask task = new ShimTask(bundle, binary, client, config.timeouts().taskState());
            task.connect(config.timeouts().load());
            entry.task = task;
            client.closed().thenRunAsync(() -> afterClose(task, entry), cleanups);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cleaning up after dead shim " + ns + "/" + id + ": " + e);
            if (client != null) {
                client.close();
            }
            if (entry.log != null) {
                entry.log.close();
            }
            ns(ns).remove(id, entry);
            Exit exit = cleanUpGone(bundle, binary, entry.socket);
            if (exit != null) {
                publishExit(ns, id, exit);
            }
        }
    }

    /**
     * Removes the socket of a shim that died without shutting down (a shim removes its own only
     * then), once nothing answers on it; containerd leaves these behind.
     */
    static void removeIfDead(Path socket) {
        if (socket == null || !java.nio.file.Files.exists(socket)) {
            return;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return; // a live shim: its socket stays
        } catch (IOException refused) {
            // nobody listens
        }
        try {
            java.nio.file.Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "remove dead shim socket " + socket + ": " + e);
        }
    }

    /**
     * Closes every shim connection without stopping the shims (they outlive the daemon); first lets
     * the shims of deleted tasks finish stopping, so that no bundle of a deleted task is left for the
     * next start to take for a live one.
     */
    public void close() {
        warm.close();
        try {
            CompletableFuture.allOf(stopping.values().toArray(CompletableFuture[]::new))
                    .get(config.timeouts().stop().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "shims of deleted tasks still stopping: " + stopping.keySet());
        }
        closing = true;
        tasks.values().forEach(m -> m.values().forEach(e -> {
            if (e.task != null) {
                e.task.client.close();
            }
            if (e.log != null) {
                e.log.close();
            }
        }));
        cleanups.shutdown();
    }
}
