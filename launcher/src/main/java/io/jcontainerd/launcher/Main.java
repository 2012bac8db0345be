package io.jcontainerd.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import sun.misc.Signal;

/** {@code jcontainerd}: parses flags and config.toml, takes the socket, runs the daemon until signalled. */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("jcontainerd: " + e.getMessage());
            System.err.print(Options.USAGE);
            return 2;
        }
        if (options.help()) {
            System.out.print(Options.USAGE);
            return 0;
        }
        if (options.version()) {
            System.out.println("jcontainerd " + version());
            return 0;
        }
        if (options.command().equals(java.util.List.of("config", "default"))) {
            return printDefaultConfig();
        }
        if (!options.command().isEmpty()) {
            System.err.println("jcontainerd: unknown command " + String.join(" ", options.command()));
            return 2;
        }

        DaemonConfig config;
        Level level;
        try {
            config = DaemonConfig.load(options);
            level = Logging.level(config.logLevel());
        } catch (IOException | IllegalArgumentException e) {
            Logging.early(System.err, "fatal", "jcontainerd: " + e.getMessage());
            return 1;
        }
        Logging.configure(level);
        long t0 = System.nanoTime();
        LOG.info("starting jcontainerd version=" + version());
        if (Boolean.getBoolean("jcontainerd.jit.idle")) {
            idleJit();
        }
        if (config.oomScore() != 0) {
            setOomScore(config.oomScore());
        }
        if (config.cgroupPath() != null) {
            try {
                DaemonCgroup.join(config.cgroupPath(), ProcessHandle.current().pid());
            } catch (IOException | RuntimeException e) {
                Logging.early(System.err, "fatal", "jcontainerd: cgroup " + config.cgroupPath() + ": " + e.getMessage());
                return 1;
            }
        }

        SocketLock lock;
        try {
            lock = SocketLock.acquire(Path.of(config.grpcAddress()));
        } catch (IOException e) {
            LOG.severe(e.getMessage());
            return 1;
        }
        Daemon daemon = new Daemon(config, home(), level);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread stopper = new Thread(() -> shutdown(daemon, lock, stopped), "jcontainerd-shutdown");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM/SIGINT take the orderly path below; this covers any other JVM exit
            if (stopped.getCount() > 0) {
                shutdown(daemon, lock, stopped);
            }
            releaseLogging();
        }, "jcontainerd-exit"));
        AtomicBoolean signalled = new AtomicBoolean();
        Signal.handle(new Signal("TERM"), s -> {
            if (signalled.compareAndSet(false, true)) {
                stopper.start();
            }
        });
        Signal.handle(new Signal("INT"), s -> {
            if (signalled.compareAndSet(false, true)) {
                stopper.start();
            }
        });
        AtomicReference<String> fatal = new AtomicReference<>();
        try {
            daemon.start(reason -> {
                if (fatal.compareAndSet(null, reason)) {
                    // containerd ends as its command line does, with the reason and exit code 1
                    Logging.early(System.err, "fatal", "jcontainerd: " + reason);
                    if (signalled.compareAndSet(false, true)) {
                        stopper.start();
                    }
                }
            });
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "failed to start: " + e.getMessage(), e);
            shutdown(daemon, lock, stopped);
            return 1;
        }
        if (awaitSocket(Path.of(config.grpcAddress()), 30_000, signalled::get)) {
            LOG.info(String.format("jcontainerd successfully booted in %.3fs", (System.nanoTime() - t0) / 1e9));
        } else if (!signalled.get()) {
            LOG.warning("the gRPC socket " + config.grpcAddress() + " is not serving 30s after start");
        }
        try {
            daemon.awaitStop();
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return fatal.get() == null ? 0 : 1;
    }

    /** As root, bin/jcontainerd asks for the JIT's threads in the idle scheduling class ({@link JitThreads}). */
    private static void idleJit() {
        try {
            List<Integer> moved = JitThreads.toIdle();
            LOG.fine(() -> "JIT threads " + moved + " in the idle scheduling class");
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.warning("JIT threads stay at their priority: " + e);
        }
    }

    /** containerd's {@code oom_score}: the daemon's OOM score adjustment; a failure is logged, not fatal. */
    private static void setOomScore(int score) {
        try {
            Files.writeString(Path.of("/proc/self/oom_score_adj"), Integer.toString(score));
        } catch (IOException e) {
            LOG.severe("failed to change OOM score to " + score + ": " + e.getMessage());
        }
    }

    /** Waits for the server to answer on its socket, as a client would see it, unless told to give up. */
    private static boolean awaitSocket(Path socket, long timeoutMillis, java.util.function.BooleanSupplier giveUp) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline && !giveUp.getAsBoolean()) {
            if (SocketLock.isLive(socket)) {
                return true;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static synchronized void shutdown(Daemon daemon, SocketLock lock, CountDownLatch stopped) {
        if (stopped.getCount() == 0) {
            return;
        }
        LOG.info("stopping jcontainerd");
        try {
            daemon.stop();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "error while stopping", e);
        }
        try {
            lock.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not release the socket lock", e);
        }
        LOG.info("jcontainerd stopped");
        stopped.countDown();
    }

    private static void releaseLogging() {
        if (LogManager.getLogManager() instanceof DaemonLogManager m) {
            m.release();
        }
    }

    private static int printDefaultConfig() {
        try (InputStream in = Main.class.getResourceAsStream("config.toml")) {
            System.out.print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return 0;
        } catch (IOException | NullPointerException e) {
            System.err.println("jcontainerd: no default configuration in the launcher");
            return 1;
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    /** The distribution directory: the parent of the {@code lib/} directory holding this jar. */
    static Path home() {
        String h = System.getProperty("jcontainerd.home");
        if (h != null) {
            return Path.of(h);
        }
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
