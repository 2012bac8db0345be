package io.jcontainerd.metadata.bolt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoltMetadataStoreTest {
    @TempDir
    Path dir;
    BoltMetadataStore store;

    @BeforeEach
    void open() throws Exception {
        store = BoltMetadataStore.open(dir.resolve("io.containerd.metadata.v1.bolt"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void namespacesLifecycle() {
        store.update(tx -> {
            tx.namespaces().create("n1", Map.of("a", "b", "c", "d"));
            return null;
        });
        store.update(tx -> {
            tx.namespaces().setLabel("n1", "a", "");
            tx.namespaces().setLabel("n10", "x", "y");
            return null;
        });
        assertEquals(List.of("n1", "n10"), store.view(tx -> tx.namespaces().list()));
        assertEquals(Map.of("c", "d"), store.view(tx -> tx.namespaces().labels("n1")));
        assertEquals(Map.of(), store.view(tx -> tx.namespaces().labels("unknown")));

        ContainerdException dup = assertThrows(ContainerdException.class,
                () -> store.update(tx -> { tx.namespaces().create("n1", Map.of()); return null; }));
        assertEquals("namespace \"n1\": already exists", dup.getMessage());

        store.update(tx -> { tx.namespaces().delete("n1"); return null; });
        assertEquals(List.of("n10"), store.view(tx -> tx.namespaces().list()));
        ContainerdException missing = assertThrows(ContainerdException.class,
                () -> store.update(tx -> { tx.namespaces().delete("n1"); return null; }));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
        assertEquals("namespace \"n1\": not found", missing.getMessage());
    }

    @Test
    void refusesToDeleteANamespaceHoldingObjects() {
        store.update(tx -> {
            tx.namespaces().create("busy", Map.of());
            return null;
        });
        // objects of later stores, written at the keys their stores use
        storeRaw(Keys.of(Keys.V1, "busy", Keys.CONTAINERS, "c1"));
        storeRaw(Keys.of(Keys.V1, "busy", Keys.IMAGES, "docker.io/library/busybox:latest"));
        storeRaw(Keys.of(Keys.V1, "busy", Keys.SNAPSHOTS, "overlayfs", "k1"));
        ContainerdException e = assertThrows(ContainerdException.class,
                () -> store.update(tx -> { tx.namespaces().delete("busy"); return null; }));
        assertEquals(ErrorCode.FAILED_PRECONDITION, e.code());
        assertEquals("namespace \"busy\" must be empty, but it still has images, containers, "
                + "snapshots on \"overlayfs\" snapshotter: failed precondition", e.getMessage());
        assertEquals(List.of("busy"), store.view(tx -> tx.namespaces().list()));
    }

    private void storeRaw(String key) {
        BoltMetadataStoreTest.this.store.update(tx -> {
            // reach the raw key space through the transaction's implementation
            ((BoltTransaction) tx).kvForTests().put(key, "{}".getBytes(StandardCharsets.UTF_8));
            return null;
        });
    }

    @Test
    void invalidInputWritesNothing() {
        ContainerdException bad = assertThrows(ContainerdException.class,
                () -> store.update(tx -> { tx.namespaces().create("bad/name", Map.of()); return null; }));
        assertEquals(ErrorCode.INVALID_ARGUMENT, bad.code());
        String big = "v".repeat(5000);
        ContainerdException tooBig = assertThrows(ContainerdException.class,
                () -> store.update(tx -> { tx.namespaces().create("ok", Map.of("k", big)); return null; }));
        assertEquals("namespace.Labels: label key and value greater than maximum size (4096 bytes), key: k: invalid argument",
                tooBig.getMessage());
        assertEquals(List.of(), store.view(tx -> tx.namespaces().list()));
    }

    @Test
    void aFailingTransactionLeavesNothingBehind() {
        store.update(tx -> { tx.namespaces().create("keep", Map.of("a", "1")); return null; });
        assertThrows(IllegalStateException.class, () -> store.update(tx -> {
            tx.namespaces().setLabel("keep", "a", "2");
            tx.namespaces().create("half", Map.of());
            throw new IllegalStateException("boom");
        }));
        assertEquals(List.of("keep"), store.view(tx -> tx.namespaces().list()));
        assertEquals(Map.of("a", "1"), store.view(tx -> tx.namespaces().labels("keep")));
    }

    @Test
    void committedWritesSurviveReopen() throws Exception {
        store.update(tx -> { tx.namespaces().create("persisted", Map.of("k", "v")); return null; });
        store.close();
        store = BoltMetadataStore.open(dir.resolve("io.containerd.metadata.v1.bolt"));
        assertEquals(Map.of("k", "v"), store.view(tx -> tx.namespaces().labels("persisted")));
    }

    @Test
    void readOnlyTransactionsRefuseWrites() {
        assertThrows(IllegalStateException.class, () -> store.view(tx -> {
            tx.namespaces().setLabel("x", "a", "b");
            return null;
        }));
    }

    /**
     * Regression: with MVStore's background housekeeping off, a store of single-write commits grew
     * to gigabytes (freed space was held back for 45 s), and making it reusable at once broke readers
     * that raced a commit ("Chunk not found"). Many small commits with concurrent readers must keep
     * the file small and every read working.
     */
    @Test
    void manySmallCommitsKeepTheFileSmallAndReadersWorking() throws Exception {
        int writes = 6000;
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> readerFailure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                try {
                    store.view(tx -> tx.namespaces().labels("big"));
                    store.view(tx -> tx.namespaces().list());
                } catch (Throwable t) {
                    readerFailure.compareAndSet(null, t);
                    return;
                }
            }
        });
        reader.start();
        try {
            for (int i = 0; i < writes; i++) {
                int n = i;
                store.update(tx -> { tx.namespaces().setLabel("big", "k" + (n % 500), "v".repeat(300)); return null; });
            }
        } finally {
            done.set(true);
            reader.join();
        }
        assertEquals(null, readerFailure.get());
        long size = java.nio.file.Files.size(store.file());
        assertTrue(size < 8L << 20, "store file after " + writes + " commits: " + size + " bytes");
        assertEquals(500, store.view(tx -> tx.namespaces().labels("big")).size());
    }

    @Test
    void concurrentWritersShareSyncs() throws Exception {
        int threads = 16;
        int perThread = 40;
        long before = store.syncCount();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int n = i;
                        store.update(tx -> { tx.namespaces().setLabel("ns" + id, "k" + n, "v"); return null; });
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long syncs = store.syncCount() - before;
        assertEquals(threads, store.view(tx -> tx.namespaces().list()).size());
        assertEquals(perThread, store.view(tx -> tx.namespaces().labels("ns3")).size());
        assertTrue(syncs > 0 && syncs < threads * perThread,
                "writes should share fsyncs: " + syncs + " syncs for " + threads * perThread + " writes");
    }
}
