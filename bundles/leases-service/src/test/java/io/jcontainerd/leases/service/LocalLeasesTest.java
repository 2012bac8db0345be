package io.jcontainerd.leases.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.metadata.bolt.BoltMetadataStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lease deletion on a real store: {@code sync} waits for a collection, as containerd's does. */
class LocalLeasesTest {
    @TempDir
    Path dir;
    private BoltMetadataStore db;
    private final AtomicInteger collections = new AtomicInteger();
    private LocalLeases leases;

    @BeforeEach
    void open() throws Exception {
        db = BoltMetadataStore.open(dir);
        leases = new LocalLeases(db, () -> collections::incrementAndGet);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void syncDeleteCollectsAndPlainDeleteLeavesItToTheScheduler() {
        leases.create("ns", "a", Map.of());
        leases.create("ns", "b", Map.of());
        leases.delete("ns", "a", false);
        assertEquals(0, collections.get());
        leases.delete("ns", "b", true);
        assertEquals(1, collections.get());
        assertTrue(leases.list("ns", List.of()).isEmpty());
    }

    @Test
    void withoutACollectorSyncStillDeletes() {
        LocalLeases alone = new LocalLeases(db);
        alone.create("ns", "c", Map.of());
        alone.delete("ns", "c", true);
        assertTrue(alone.list("ns", List.of()).isEmpty());
    }
}
