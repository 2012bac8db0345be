package io.jcontainerd.metadata.bolt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.IngestRecord;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentIndexTest {
    static final Digest A = Digest.parse("sha256:" + "a".repeat(64));
    static final Digest B = Digest.parse("sha256:" + "b".repeat(64));

    @TempDir
    Path dir;
    BoltMetadataStore store;

    @BeforeEach
    void open() throws Exception {
        store = BoltMetadataStore.open(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void blobRecordsRoundTripAndStayInTheirNamespace() throws Exception {
        Instant t = Instant.parse("2026-01-02T03:04:05.123456789Z");
        ContentInfo a = new ContentInfo(A, 1234567890123L, t, t.plusSeconds(1), Map.of("k", "v", "containerd.io/gc.ref.content.l.0", B.toString()));
        store.update(tx -> {
            tx.content().put("ns1", a);
            tx.content().put("ns1", new ContentInfo(B, 0, t, t, Map.of()));
            return null;
        });
        store.close();
        store = BoltMetadataStore.open(dir);
        assertEquals(a, store.view(tx -> tx.content().get("ns1", A)));
        assertNull(store.view(tx -> tx.content().get("ns2", A)));
        assertEquals(List.of(A, B), store.view(tx -> tx.content().list("ns1")).stream().map(ContentInfo::digest).toList());
        assertEquals(List.of(), store.view(tx -> tx.content().list("ns2")));
        assertEquals(List.of("ns1"), store.view(tx -> tx.namespaces().list()));

        // a namespace holding blobs cannot be deleted, as containerd
        ContainerdException e = assertThrows(ContainerdException.class,
                () -> store.update(tx -> { tx.namespaces().delete("ns1"); return null; }));
        assertEquals(ErrorCode.FAILED_PRECONDITION, e.code());

        assertTrue(store.<Boolean>update(tx -> tx.content().delete("ns1", A)));
        assertFalse(store.<Boolean>update(tx -> tx.content().delete("ns1", A)));
        assertEquals(List.of(B), store.view(tx -> tx.content().list("ns1")).stream().map(ContentInfo::digest).toList());
    }

    @Test
    void ingestRecordsKeepBackendRefExpectedAndExpiry() {
        Instant exp = Instant.parse("2026-01-03T00:00:00Z");
        IngestRecord shared = new IngestRecord("ns1/1/layer-sha256:x", A, null);
        IngestRecord own = new IngestRecord("ns1/1/tar-blobs/sha256/y", null, exp);
        store.update(tx -> {
            tx.content().putIngest("ns1", "layer-sha256:x", shared);
            tx.content().putIngest("ns1", "tar-blobs/sha256/y", own);
            tx.content().putIngest("ns2", "z", own);
            return null;
        });
        assertEquals(shared, store.view(tx -> tx.content().ingest("ns1", "layer-sha256:x")));
        assertEquals(own, store.view(tx -> tx.content().ingest("ns1", "tar-blobs/sha256/y")));
        assertEquals(List.of("layer-sha256:x", "tar-blobs/sha256/y"), store.view(tx -> tx.content().ingests("ns1")));
        assertNull(store.view(tx -> tx.content().ingest("ns2", "layer-sha256:x")));
        assertTrue(store.<Boolean>update(tx -> tx.content().deleteIngest("ns1", "layer-sha256:x")));
        assertFalse(store.<Boolean>update(tx -> tx.content().deleteIngest("ns1", "layer-sha256:x")));
        assertEquals(List.of("tar-blobs/sha256/y"), store.view(tx -> tx.content().ingests("ns1")));
        // ingests alone do not hold blobs in the namespace
        assertEquals(List.of(), store.view(tx -> tx.content().list("ns1")));
    }

    @Test
    void aFailedUpdateLeavesNoRecord() {
        assertThrows(IllegalStateException.class, () -> store.update(tx -> {
            tx.content().put("ns", new ContentInfo(A, 1, Instant.now(), Instant.now(), Map.of()));
            throw new IllegalStateException("boom");
        }));
        assertNull(store.view(tx -> tx.content().get("ns", A)));
    }

    @Test
    void removalsCountCommittedRemovalsOfBlobAndIngestRecords() {
        Instant t = Instant.parse("2026-01-02T03:04:05Z");
        store.update(tx -> {
            tx.content().put("ns", new ContentInfo(A, 1, t, t, Map.of()));
            tx.content().put("ns", new ContentInfo(B, 1, t, t, Map.of()));
            return null;
        });
        long before = removals();
        assertFalse(store.<Boolean>update(tx -> tx.content().delete("ns", Digest.parse("sha256:" + "c".repeat(64)))));
        assertEquals(before, removals(), "nothing was removed");

        // a failed transaction's removal does not count
        assertThrows(IllegalStateException.class, () -> store.update(tx -> {
            tx.content().delete("ns", A);
            assertEquals(before + 1, tx.content().removals(), "the transaction counts itself");
            throw new IllegalStateException("fail");
        }));
        assertEquals(before, removals());

        assertTrue(store.<Boolean>update(tx -> tx.content().delete("ns", A)));
        long afterBlob = removals();
        assertTrue(afterBlob > before);
        store.update(tx -> {
            tx.content().putIngest("ns", "r", new IngestRecord("backend-r", B, null));
            return null;
        });
        assertEquals(afterBlob, removals(), "adding removes nothing");
        assertTrue(store.<Boolean>update(tx -> tx.content().deleteIngest("ns", "r")));
        assertTrue(removals() > afterBlob);
    }

    private long removals() {
        return store.<Long>view(tx -> tx.content().removals());
    }
}
