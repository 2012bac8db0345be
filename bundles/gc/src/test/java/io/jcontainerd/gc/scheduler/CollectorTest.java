package io.jcontainerd.gc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.ContentWriter;
import io.jcontainerd.content.local.LocalBlobStore;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.metadata.bolt.BoltMetadataStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Collections over a real metadata store and content store in a temp directory. */
class CollectorTest {
    private static final String NS = "ns";

    @TempDir
    Path dir;
    private BoltMetadataStore metadata;
    private LocalBlobStore blobs;
    private Collector collector;

    @BeforeEach
    void open() throws Exception {
        metadata = BoltMetadataStore.open(dir.resolve("metadata"));
        blobs = new LocalBlobStore(dir.resolve("content"));
        collector = new Collector(metadata, () -> blobs, () -> null, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        metadata.close();
    }

    @Test
    void theContentStoreIsListedAtFirstAndThenOnlyWhenContentRecordsWent() throws Exception {
        Digest orphan = blob("orphan");
        Digest kept = blob("kept");
        record(kept, Map.of(Collector.GC_ROOT, "yes"));

        assertEquals(1, collector.collect().blobs(), "the first collection lists the store");
        assertNull(blobs.path(orphan));
        assertNotNull(blobs.path(kept));

        // a blob without a record, while no record went: not listed, so kept, as by containerd
        Digest unlisted = blob("unlisted");
        assertEquals(0, collector.collect().blobs());
        assertNotNull(blobs.path(unlisted));

        // a record put and removed between two collections makes the next one list the store
        Digest brief = blob("brief");
        record(brief, Map.of());
        metadata.update(tx -> tx.content().delete(NS, brief));
        assertEquals(2, collector.collect().blobs());
        assertNull(blobs.path(brief));
        assertNull(blobs.path(unlisted));
        assertNotNull(blobs.path(kept));

        // a record the collection itself removes (nothing refers to it) takes its blob at once
        Digest unreferenced = blob("unreferenced");
        record(unreferenced, Map.of());
        Collector.Stats s = collector.collect();
        assertEquals(1, s.contentRecords());
        assertEquals(1, s.blobs());
        assertNull(blobs.path(unreferenced));
        assertNotNull(blobs.path(kept));
    }

    @Test
    void anotherContentStoreIsListedAtItsFirstCollection() throws Exception {
        collector.collect();
        blobs = new LocalBlobStore(dir.resolve("content2"));
        Digest orphan = blob("orphan");
        assertEquals(1, collector.collect().blobs());
        assertNull(blobs.path(orphan));
    }

    private Digest blob(String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        Digest d = new Digest("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)));
        try (ContentWriter w = blobs.writer("ingest-" + text, b.length)) {
            w.write(ByteBuffer.wrap(b));
            w.commit(b.length, d, Map.of());
        }
        return d;
    }

    private void record(Digest d, Map<String, String> labels) {
        Instant now = Instant.now();
        long size = blobs.info(d).size();
        metadata.update(tx -> {
            tx.content().put(NS, new ContentInfo(d, size, now, now, labels));
            return null;
        });
    }
}
