package io.jcontainerd.snapshots.storage;

import io.jcontainerd.errdefs.Errdefs;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * A snapshotter's records in one H2 MVStore file (containerd's {@code storage.MetaStore} on
 * {@code metadata.db}). Write transactions run one at a time, undo their changes if they fail, and are
 * on disk when {@link #update} returns; read transactions run beside each other, not beside a writer.
 */
public final class MetaStore implements AutoCloseable {
    /** The file's name in the snapshotter's root. */
    public static final String FILE = "metadata.mv.db";

    private final MVStore store;
    private final MVMap<String, byte[]> snapshots;
    private final MVMap<String, String> parents;
    private final MVMap<String, Long> meta;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    private MetaStore(MVStore store) {
        this.store = store;
        this.snapshots = store.openMap("snapshots");
        this.parents = store.openMap("parents");
        this.meta = store.openMap("meta");
    }

    /** Opens (creating if needed) the store file; fails if another process holds it. */
    public static MetaStore open(Path file) {
        MVStore s = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        return new MetaStore(s);
    }

    /** Runs {@code work} in a read transaction. */
    public <T> T view(Function<MetaTx, T> work) {
        lock.readLock().lock();
        try {
            checkOpen();
            return work.apply(new MetaTx(snapshots, parents, meta, false));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs {@code work} in a write transaction: all its changes are kept and made durable, or none. */
    public <T> T update(Function<MetaTx, T> work) {
        lock.writeLock().lock();
        try {
            checkOpen();
            MetaTx tx = new MetaTx(snapshots, parents, meta, true);
            T result;
            try {
                result = work.apply(tx);
            } catch (RuntimeException | Error e) {
                tx.rollback();
                throw e;
            }
            if (tx.modified()) {
                store.commit();
                store.sync();
            }
            return result;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void checkOpen() {
        if (store.isClosed()) {
            throw Errdefs.unavailable("snapshot metadata store is closed");
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!store.isClosed()) {
                store.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
