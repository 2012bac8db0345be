package io.jcontainerd.metadata.bolt;

import io.jcontainerd.errdefs.Errdefs;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Function;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;

/**
 * A durable sorted key-value store on one H2 MVStore file, with bolt's transaction model.
 *
 * <ul>
 * <li>Write transactions run one at a time and apply their changes to the in-memory map, keeping an
 *     undo log so that a failing transaction leaves nothing behind.</li>
 * <li>Read transactions see whole write transactions only. They run optimistically, without taking
 *     the lock, and run again under it only if a writer changed something meanwhile; so readers never
 *     wait behind writers or commits in the common case.</li>
 * <li>A write is acknowledged once an MVStore commit holding it has been forced to disk. Writers
 *     that finish while a sync is in flight are covered by the next one, which the first of them
 *     performs for all (leader-based group commit), so concurrent writers share fsyncs.</li>
 * </ul>
 *
 * MVStore's own background commits are disabled: a commit only ever happens here, between write
 * transactions, so a crash never exposes half a transaction (and {@code commit()} then writes
 * synchronously, so the sync after it covers the data). Changes become visible to readers when applied,
 * slightly before they are durable; a writer is never acknowledged before.
 *
 * <p>Without MVStore's background housekeeping the file would grow by a chunk per commit for as long as
 * freed space is retained (45 s by default: gigabytes under load). So freed space is reusable at once
 * (retention 0), which needs every reader to register the version it reads, and every
 * {@value #COMPACT_EVERY} commits partly filled chunks are rewritten.
 */
final class KvStore implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KvStore.class.getName());

    private final MVStore store;
    private final MVMap<byte[], byte[]> map;
    /** Writers take it exclusively; the commit takes it shared (excluding writers); readers validate. */
    private final StampedLock lock = new StampedLock();

    private final Object syncState = new Object();
    // guarded by syncState
    private long applied;
    private long durable;
    private boolean flushing;
    private RuntimeException failure;

    private final AtomicLong syncs = new AtomicLong();
    /** Committed write transactions that removed a blob or ingest record; changed under the write lock. */
    private volatile long contentRemovals;
    private volatile Runnable onDeleted = () -> { };

    /** Commits between two compaction passes. */
    static final int COMPACT_EVERY = 1000;
    /** Chunks less full than this (percent) are rewritten by compaction. */
    private static final int COMPACT_FILL_RATE = 50;
    /** Bytes one compaction pass may rewrite. */
    private static final int COMPACT_WRITE_BYTES = 4 << 20;

    private KvStore(MVStore store) {
        this.store = store;
        // keys are UTF-8 bytes, ordered unsigned: code point order, as strings would be, but serialised
        // by copying instead of character by character (which dominated commit CPU)
        this.map = store.openMap("metadata.v1", new MVMap.Builder<byte[], byte[]>()
                .keyType(ByteArrayDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
    }

    /** Opens (creating if needed) the store file; fails if another process holds it. */
    static KvStore open(Path file) {
        MVStore s = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        s.setRetentionTime(0);
        return new KvStore(s);
    }

    /** Runs {@code work} in a read transaction (which must have no side effects: it may run twice). */
    <T> T read(Function<KvTx, T> work) {
        checkOpen();
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
            // keeps the chunks of the version being read from reuse by a concurrent commit
            MVStore.TxCounter version = store.registerVersionUsage();
            try {
                T result = work.apply(new KvTx(map, false, contentRemovals));
                if (lock.validate(stamp)) {
                    return result;
                }
            } catch (RuntimeException e) {
                if (lock.validate(stamp)) {
                    throw e;
                }
                // a writer was half-way through; what failed may be an artefact: read again, locked
            } finally {
                store.deregisterVersionUsage(version);
            }
        }
        stamp = lock.readLock();
        MVStore.TxCounter version = store.registerVersionUsage();
        try {
            return work.apply(new KvTx(map, false, contentRemovals));
        } finally {
            store.deregisterVersionUsage(version);
            lock.unlockRead(stamp);
        }
    }

    /** Sets what runs after each durable write transaction marked dirty. */
    void onDeleted(Runnable action) {
        this.onDeleted = action;
    }

    /** Runs {@code work} in a write transaction; returns once its changes are on disk. */
    <T> T write(Function<KvTx, T> work) {
        long seq;
        T result;
        boolean deleted;
        long stamp = lock.writeLock();
        try {
            checkOpen();
            KvTx tx = new KvTx(map, true, contentRemovals);
            try {
                result = work.apply(tx);
            } catch (RuntimeException | Error e) {
                tx.rollback();
                throw e;
            }
            if (!tx.modified()) {
                return result;
            }
            deleted = tx.dirty();
            if (tx.contentRemoved()) {
                contentRemovals++; // only this thread writes it, under the write lock
            }
            synchronized (syncState) {
                seq = ++applied;
            }
        } finally {
            lock.unlockWrite(stamp);
        }
        awaitDurable(seq);
        if (deleted) {
            onDeleted.run();
        }
        return result;
    }

    private void awaitDurable(long seq) {
        boolean interrupted = false;
        try {
            while (true) {
                synchronized (syncState) {
                    while (true) {
                        if (durable >= seq) {
                            return;
                        }
                        if (failure != null) {
                            throw Errdefs.unavailable("metadata store cannot write: %s", failure.getMessage());
                        }
                        if (!flushing) {
                            flushing = true;
                            break;
                        }
                        try {
                            syncState.wait();
                        } catch (InterruptedException e) {
                            interrupted = true; // the write is applied; it must still be made durable
                        }
                    }
                }
                flush();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Commits everything applied so far and forces it to disk; called by one leader at a time. */
    private void flush() {
        try {
            long target;
            long stamp = lock.readLock();
            try {
                synchronized (syncState) {
                    target = applied;
                }
                if (syncs.get() % COMPACT_EVERY == COMPACT_EVERY - 1) {
                    store.compact(COMPACT_FILL_RATE, COMPACT_WRITE_BYTES);
                }
                store.commit();
            } finally {
                lock.unlockRead(stamp);
            }
            store.sync();
            syncs.incrementAndGet();
            synchronized (syncState) {
                durable = Math.max(durable, target);
                flushing = false;
                syncState.notifyAll();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "metadata store commit failed; refusing further writes", e);
            synchronized (syncState) {
                failure = e;
                flushing = false;
                syncState.notifyAll();
            }
        }
    }

    private void checkOpen() {
        if (store.isClosed()) {
            throw Errdefs.unavailable("metadata store is closed");
        }
        synchronized (syncState) {
            if (failure != null) {
                throw Errdefs.unavailable("metadata store cannot write: %s", failure.getMessage());
            }
        }
    }

    /** How many fsyncs have been performed (for tests and metrics). */
    long syncCount() {
        return syncs.get();
    }

    @Override
    public void close() {
        long stamp = lock.writeLock();
        try {
            if (!store.isClosed()) {
                store.close();
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }
}
