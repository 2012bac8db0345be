package io.jcontainerd.metadata.bolt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.IngestRecord;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.leases.Resource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The garbage collector hears of the removals containerd counts as dirty, and of no others. */
class DirtyTest {
    private static final Digest D = Digest.parse("sha256:" + "ab".repeat(32));

    @TempDir
    Path dir;
    private BoltMetadataStore store;
    private final AtomicInteger told = new AtomicInteger();

    @BeforeEach
    void open() throws Exception {
        store = BoltMetadataStore.open(dir);
        store.onDeleted(told::incrementAndGet);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void blobRemovalIsDirtyCommittingAnIngestIsNot() {
        store.update(tx -> {
            tx.leases().create("ns", "l1", Map.of());
            tx.leases().addResource("ns", "l1", new Resource("ref1", "ingests"));
            tx.content().putIngest("ns", "ref1", new IngestRecord("ns/1/ref1", null, null));
            return null;
        });
        // a commit: the ingest record and its lease entry go, the blob record comes
        store.update(tx -> {
            tx.content().deleteIngest("ns", "ref1");
            tx.leases().deleteResource("ns", "l1", new Resource("ref1", "ingests"));
            tx.content().put("ns", new ContentInfo(D, 1, Instant.now(), Instant.now(), Map.of()));
            return null;
        });
        assertEquals(0, told.get());
        store.update(tx -> tx.content().delete("ns", D));
        assertEquals(1, told.get());
        store.update(tx -> {
            tx.leases().delete("ns", "l1");
            return null;
        });
        assertEquals(2, told.get());
    }
}
