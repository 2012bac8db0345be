package io.jcontainerd.snapshots.service;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.snapshots.SnapshotIndex;
import io.jcontainerd.snapshots.SnapshotInfo;
import io.jcontainerd.snapshots.Snapshotter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The snapshotter plugins by name, each with the lock that keeps garbage collection apart from changes
 * (containerd's {@code snapshotter.l}): creations, commits and removals share it, collection takes it
 * alone, so it never sees a backend snapshot whose record is still being written.
 */
public final class Backends implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Backends.class.getName());

    private final Map<String, Snapshotter> byName = new ConcurrentHashMap<>();
    private final Map<String, ReadWriteLock> locks = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ExecutorService collector = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "snapshots-gc");
        t.setDaemon(true);
        return t;
    });
    private volatile MetadataStore db;

    public void add(String name, Snapshotter sn) {
        byName.put(name, sn);
    }

    public void remove(String name, Snapshotter sn) {
        byName.remove(name, sn);
    }

    /** The snapshotter {@code name}; InvalidArgument as containerd's service when missing or unknown. */
    Snapshotter get(String name) {
        if (name == null || name.isEmpty()) {
            throw Errdefs.invalidArgument("snapshotter argument missing");
        }
        Snapshotter sn = byName.get(name);
        if (sn == null) {
            throw Errdefs.invalidArgument("snapshotter not loaded: %s", name);
        }
        return sn;
    }

    /** The snapshotter {@code name} for a call made on behalf of a request in {@code namespace}. */
    Snapshotter get(String name, String namespace) {
        return get(name).namespaced(namespace);
    }

    List<String> names() {
        return new ArrayList<>(new TreeMap<>(byName).keySet());
    }

    private ReadWriteLock lock(String name) {
        return locks.computeIfAbsent(name, n -> new ReentrantReadWriteLock());
    }

    /** Runs a change under the snapshotter's shared lock. */
    <T> T shared(String name, Supplier<T> work) {
        ReadWriteLock l = lock(name);
        l.readLock().lock();
        try {
            return work.get();
        } finally {
            l.readLock().unlock();
        }
    }

    /** Schedules a collection of {@code name}, as containerd's scheduler does after a removal. */
    void collectSoon(String name) {
        MetadataStore store = db;
        if (store == null || !pending.add(name)) {
            return;
        }
        try {
            collector.execute(() -> {
                pending.remove(name);
                try {
                    collect(name, store);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "garbage collection of snapshotter " + name + " failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            pending.remove(name);
        }
    }

    /** Binds the metadata store used by scheduled collections. */
    void store(MetadataStore store) {
        this.db = store;
    }

    /**
     * Removes the backend snapshots no record in any namespace refers to, children before parents, then
     * calls the snapshotter's cleanup (containerd's {@code garbageCollect} and {@code pruneBranch}).
     */
    void collect(String name, MetadataStore store) {
        Snapshotter sn = get(name);
        ReadWriteLock l = lock(name);
        l.writeLock().lock();
        try {
            Set<String> seen = store.view(tx -> {
                Set<String> keys = new HashSet<>();
                for (String ns : tx.namespaces().list()) {
                    for (SnapshotIndex.Entry e : tx.snapshots().list(ns, name)) {
                        keys.add(e.backendKey());
                    }
                }
                return keys;
            });
            Map<String, List<SnapshotInfo>> children = new HashMap<>();
            List<SnapshotInfo> roots = new ArrayList<>();
            sn.walk(i -> {
                if (i.parent().isEmpty()) {
                    roots.add(i);
                } else {
                    children.computeIfAbsent(i.parent(), k -> new ArrayList<>()).add(i);
                }
            });
            for (SnapshotInfo r : roots) {
                prune(sn, r, children, seen);
            }
            sn.cleanup();
        } finally {
            l.writeLock().unlock();
        }
    }

    private static void prune(Snapshotter sn, SnapshotInfo node, Map<String, List<SnapshotInfo>> children, Set<String> seen) {
        for (SnapshotInfo c : children.getOrDefault(node.name(), List.of())) {
            prune(sn, c, children, seen);
        }
        if (!seen.contains(node.name())) {
            try {
                sn.remove(node.name());
            } catch (ContainerdException e) {
                if (e.code() != ErrorCode.FAILED_PRECONDITION) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, "failed to remove snapshot " + node.name() + ": " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        collector.shutdownNow();
    }
}
