package io.jcontainerd.bench.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;

/**
 * LMDB via lmdbjava, default env flags (no MDB_NOSYNC/NOMETASYNC/WRITEMAP): mdb_txn_commit fdatasyncs.
 */
final class LmdbKV implements StoreBench.KV {
    final Env<ByteBuffer> env;
    final Dbi<ByteBuffer> db;
    static final ThreadLocal<ByteBuffer> KB = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(511));
    static final ThreadLocal<ByteBuffer> VB = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(4096));

    record Req(String k, String v, CompletableFuture<Void> done) { }
    final LinkedBlockingQueue<Req> queue = new LinkedBlockingQueue<>();
    Thread committer;
    volatile boolean stop;

    LmdbKV(Path dir) {
        env = Env.create().setMapSize(4L << 30).setMaxDbs(2).setMaxReaders(126).open(dir.toFile());
        db = env.openDbi("data", DbiFlags.MDB_CREATE);
    }

    static ByteBuffer buf(ThreadLocal<ByteBuffer> tl, String s) {
        ByteBuffer b = tl.get();
        b.clear();
        b.put(s.getBytes(UTF_8)).flip();
        return b;
    }

    @Override public void putSync(String k, String v) {
        ByteBuffer kb = buf(KB, k), vb = buf(VB, v);
        try (Txn<ByteBuffer> txn = env.txnWrite()) {   // LMDB serializes writers on its own mutex
            db.put(txn, kb, vb);
            txn.commit();                             // write pages + fdatasync + meta page + fdatasync
        }
    }

    @Override public void putGroup(String k, String v) {
        synchronized (this) {
            if (committer == null) startCommitter();
        }
        Req r = new Req(k, v, new CompletableFuture<>());
        queue.add(r);
        r.done.join();
    }

    private void startCommitter() {
        committer = new Thread(() -> {
            List<Req> batch = new ArrayList<>();
            while (!stop || !queue.isEmpty()) {
                try {
                    Req first = queue.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (first == null) continue;
                    batch.add(first);
                } catch (InterruptedException e) { return; }
                queue.drainTo(batch);
                try (Txn<ByteBuffer> txn = env.txnWrite()) {
                    for (Req r : batch) db.put(txn, buf(KB, r.k), buf(VB, r.v));
                    txn.commit();
                    for (Req r : batch) r.done.complete(null);
                } catch (Throwable t) {
                    for (Req r : batch) r.done.completeExceptionally(t);
                }
                batch.clear();
            }
        }, "lmdb-committer");
        committer.setDaemon(true);
        committer.start();
    }

    @Override public String get(String k) {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            ByteBuffer r = db.get(txn, buf(KB, k));
            if (r == null) return null;
            byte[] b = new byte[r.remaining()];
            r.get(b);
            return new String(b, UTF_8);
        }
    }

    @Override public int scan(String prefix) {
        byte[] p = prefix.getBytes(UTF_8);
        int n = 0;
        try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = db.openCursor(txn)) {
            if (!c.get(buf(KB, prefix), GetOp.MDB_SET_RANGE)) return 0;
            do {
                ByteBuffer k = c.key();
                if (k.remaining() < p.length) break;
                boolean match = true;
                for (int i = 0; i < p.length; i++) if (k.get(k.position() + i) != p[i]) { match = false; break; }
                if (!match) break;
                byte[] kb = new byte[k.remaining()]; k.get(kb);
                ByteBuffer v = c.val();
                byte[] vb = new byte[v.remaining()]; v.get(vb);
                String ks = new String(kb, UTF_8), vs = new String(vb, UTF_8);
                if (ks.isEmpty() || vs.isEmpty()) throw new IllegalStateException();
                n++;
            } while (c.next());
        }
        return n;
    }

    @Override public void close() {
        if (committer != null) {
            stop = true;
            try { committer.join(); } catch (InterruptedException ignored) { }
        }
        db.close();
        env.close();
    }
}
