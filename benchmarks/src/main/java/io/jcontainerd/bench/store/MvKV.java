package io.jcontainerd.bench.store;

import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * H2 MVStore, plain MVMap<String,String>, auto-commit (background writer) disabled.
 * Durability: store.commit() (synchronously writes a new chunk, see MVStore.store(true)) followed by
 * store.sync() (SingleFileStore.sync() = FileChannel.force(true)).
 */
final class MvKV implements StoreBench.KV {
    final MVStore s;
    final MVMap<String, String> m;
    final ReentrantLock writeLock = new ReentrantLock();
    final boolean tuned;
    long commits;   // guarded by writeLock

    // group commit state
    final Object gl = new Object();
    long requested, durable;
    Throwable failure;
    volatile boolean stop;
    Thread flusher;

    /**
     * @param tuned false: H2 defaults (cache 16 MiB, retentionTime 45 s), no compaction;
     *              true: cacheSize 64 MiB, retentionTime 0 (chunks reusable right away; we sync every commit),
     *              every read wrapped in registerVersionUsage() (REQUIRED with retentionTime 0, otherwise
     *              concurrent readers hit "Chunk N not found"), and compact(50, 4 MiB) every 1000 commits.
     */
    MvKV(Path dir, boolean tuned) {
        MVStore.Builder b = new MVStore.Builder().fileName(dir.resolve("meta.mv.db").toString()).autoCommitDisabled();
        if (tuned) b.cacheSize(64);
        s = b.open();
        if (tuned) s.setRetentionTime(0);
        this.tuned = tuned;
        m = s.openMap("data");
    }

    @Override public void putSync(String k, String v) {
        writeLock.lock();
        try {
            m.put(k, v);
            s.commit();
            s.sync();
            afterCommit();
        } finally {
            writeLock.unlock();
        }
    }

    @Override public void putGroup(String k, String v) {
        m.put(k, v);                        // applied (visible), not yet durable
        synchronized (gl) {
            if (flusher == null) startFlusher();
            long my = ++requested;          // counted only after put completed -> covered by next commit
            gl.notifyAll();
            while (durable < my) {
                if (failure != null) throw new IllegalStateException("flush failed", failure);
                try { gl.wait(); } catch (InterruptedException e) { throw new RuntimeException(e); }
            }
        }
    }

    private void startFlusher() {
        flusher = new Thread(() -> {
            while (true) {
                long target;
                synchronized (gl) {
                    while (requested == durable && !stop) {
                        try { gl.wait(); } catch (InterruptedException e) { return; }
                    }
                    if (stop && requested == durable) return;
                    target = requested;
                }
                try {
                    writeLock.lock();       // do not interleave with mode-a writers' commit/sync
                    try {
                        s.commit();
                        s.sync();
                        afterCommit();
                    } finally {
                        writeLock.unlock();
                    }
                } catch (Throwable t) {
                    synchronized (gl) { failure = t; gl.notifyAll(); }
                    return;
                }
                synchronized (gl) { durable = target; gl.notifyAll(); }
            }
        }, "mv-flusher");
        flusher.setDaemon(true);
        flusher.start();
    }

    /** housekeeping that the (disabled) background thread would otherwise do; caller holds writeLock. */
    private void afterCommit() {
        if (tuned && ++commits % 1000 == 0) {
            s.compact(50, 4 << 20);
            s.commit();
            s.sync();
        }
    }

    @Override public String get(String k) {
        if (!tuned) return m.get(k);
        MVStore.TxCounter c = s.registerVersionUsage();
        try {
            return m.get(k);
        } finally {
            s.deregisterVersionUsage(c);
        }
    }

    @Override public int scan(String prefix) {
        if (!tuned) return scan0(prefix);
        MVStore.TxCounter c = s.registerVersionUsage();
        try {
            return scan0(prefix);
        } finally {
            s.deregisterVersionUsage(c);
        }
    }

    private int scan0(String prefix) {
        int n = 0;
        Cursor<String, String> c = m.cursor(prefix);
        while (c.hasNext()) {
            String k = c.next();
            if (!k.startsWith(prefix)) break;
            String v = c.getValue();
            if (v.isEmpty()) throw new IllegalStateException();
            n++;
        }
        return n;
    }

    @Override public void close() {
        if (flusher != null) {
            synchronized (gl) { stop = true; gl.notifyAll(); }
            try { flusher.join(); } catch (InterruptedException ignored) { }
        }
        s.close();
    }
}
