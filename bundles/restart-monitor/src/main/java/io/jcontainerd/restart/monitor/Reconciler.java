package io.jcontainerd.restart.monitor;

import io.jcontainerd.containers.Container;
import io.jcontainerd.containers.ContainerService;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.namespaces.Namespace;
import io.jcontainerd.namespaces.NamespaceService;
import io.jcontainerd.runtime.Exit;
import io.jcontainerd.runtime.TaskIO;
import io.jcontainerd.snapshots.Snapshots;
import io.jcontainerd.tasks.NewTask;
import io.jcontainerd.tasks.TaskService;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One pass of containerd's restart monitor over every namespace: each container labelled
 * {@value #STATUS} is brought to the status the label names. {@code running}: when its task is not
 * running (none, created, stopped, paused), any task is killed and deleted and a new one is created
 * (rootfs from the container's snapshot, output to the {@value #LOG_URI} or {@value #LOG_PATH} label's
 * destination, else none) and started. {@code stopped}: a task it has is killed and deleted. Other
 * values are left alone. Namespaces, and the changes within each, are worked on concurrently; a
 * failure is logged and the next pass tries again.
 */
final class Reconciler {
    static final String STATUS = "containerd.io/restart.status";
    static final String LOG_URI = "containerd.io/restart.loguri";
    /** Deprecated by containerd in favour of {@link #LOG_URI}, and still honoured. */
    static final String LOG_PATH = "containerd.io/restart.logpath";

    private static final System.Logger LOG = System.getLogger(Reconciler.class.getName());
    private static final int SIGKILL = 9;
    /** How long a killed task may take to exit; SIGKILL cannot be caught, so only a stuck kernel waits this. */
    private static final long EXIT_WAIT_SECONDS = 60;

    private final NamespaceService namespaces;
    private final ContainerService containers;
    private final TaskService tasks;
    private final Snapshots snapshots;
    private final ExecutorService workers;

    Reconciler(NamespaceService namespaces, ContainerService containers, TaskService tasks, Snapshots snapshots,
            ExecutorService workers) {
        this.namespaces = namespaces;
        this.containers = containers;
        this.tasks = tasks;
        this.snapshots = snapshots;
        this.workers = workers;
    }

    /** One pass; never throws, so that the next pass comes. */
    void reconcile() {
        List<Namespace> all;
        try {
            all = namespaces.list();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "reconcile: " + e.getMessage());
            return;
        }
        List<Future<?>> passes = new ArrayList<>();
        for (Namespace ns : all) {
            passes.add(workers.submit(() -> reconcile(ns.name())));
        }
        awaitAll(passes);
    }

    private void reconcile(String namespace) {
        List<Runnable> changes;
        try {
            changes = changes(namespace);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "monitor for changes in namespace " + namespace + ": " + e.getMessage());
            return;
        }
        List<Future<?>> applied = new ArrayList<>();
        for (Runnable change : changes) {
            applied.add(workers.submit(() -> {
                try {
                    change.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "apply change in namespace " + namespace + ": " + e.getMessage());
                }
            }));
        }
        awaitAll(applied);
    }

    /** The changes the labelled containers of {@code namespace} need now. */
    List<Runnable> changes(String namespace) {
        List<Runnable> changes = new ArrayList<>();
        for (Container c : containers.list(namespace, List.of("labels.\"" + STATUS + "\""))) {
            String desired = c.labels().getOrDefault(STATUS, "");
            if (desired.equals(status(namespace, c.id()))) {
                continue;
            }
            switch (desired) {
                case "running" -> changes.add(() -> start(namespace, c));
                case "stopped" -> changes.add(() -> killTask(namespace, c.id()));
                default -> { }
            }
        }
        return changes;
    }

    /** The task's status as containerd's clients spell it; {@code stopped} when there is no task. */
    private String status(String namespace, String id) {
        try {
            return tasks.get(namespace, id, "").status().name().toLowerCase(Locale.ROOT);
        } catch (ContainerdException e) {
            return "stopped";
        }
    }

    private void start(String namespace, Container c) {
        String uri = c.labels().getOrDefault(LOG_URI, "");
        String path = c.labels().getOrDefault(LOG_PATH, "");
        if (!uri.isEmpty()) {
            try {
                new URI(uri);
            } catch (URISyntaxException e) {
                throw Errdefs.invalidArgument("failed to parse %s into url: %s", uri, e.getMessage());
            }
            if (!path.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "{0}={1} has been deprecated, using {2}={3}",
                        LOG_PATH, path, LOG_URI, uri);
            }
        }
        killTask(namespace, c.id());
        String out = !uri.isEmpty() ? uri : path.isEmpty() ? "" : fileUri(path);
        List<Mount> rootfs = List.of();
        if (!c.snapshotKey().isEmpty()) {
            if (c.snapshotter().isEmpty()) {
                throw Errdefs.invalidArgument("unable to resolve rootfs mounts without snapshotter on container");
            }
            rootfs = snapshots.mounts(namespace, c.snapshotter(), c.snapshotKey());
        }
        tasks.create(namespace, new NewTask(c.id(), rootfs, new TaskIO("", out, out, false), null, ""));
        tasks.start(namespace, c.id(), "");
    }

    /** A {@code file://} URI of an absolute path, as containerd's log file option builds it. */
    static String fileUri(String path) {
        Path p = Path.of(path).normalize();
        if (!p.isAbsolute()) {
            throw Errdefs.invalidArgument("absolute path needed");
        }
        try {
            return new URI("file", "", p.toString(), null).toASCIIString();
        } catch (URISyntaxException e) {
            throw Errdefs.invalidArgument("log path %s: %s", path, e.getMessage());
        }
    }

    /** Kills (SIGKILL, all processes) and deletes the container's task, if it has one. */
    private void killTask(String namespace, String id) {
        try {
            tasks.get(namespace, id, "");
        } catch (ContainerdException e) {
            return;
        }
        Future<Exit> exit = workers.submit(() -> tasks.waitExit(namespace, id, ""));
        try {
            tasks.kill(namespace, id, "", SIGKILL, true);
        } catch (ContainerdException e) {
            exit.cancel(true);
            try {
                tasks.delete(namespace, id);
                return;
            } catch (ContainerdException notDeleted) {
                throw e;
            }
        }
        try {
            exit.get(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // gone meanwhile: the delete below tells
        } catch (TimeoutException e) {
            exit.cancel(true);
            throw Errdefs.unavailable("task %s did not exit %ds after SIGKILL", id, EXIT_WAIT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Errdefs.unavailable("interrupted waiting for task %s", id);
        }
        tasks.delete(namespace, id);
    }

    private static void awaitAll(List<Future<?>> futures) {
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                LOG.log(System.Logger.Level.ERROR, "reconcile: " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
