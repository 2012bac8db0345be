package io.jcontainerd.content.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.content.ContentWriter;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobStoreTest {
    @TempDir
    Path root;

    static Digest sha(byte[] b) throws Exception {
        return new Digest("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)));
    }

    static ByteBuffer buf(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void ownedBuffersAreCountedAtOnceAndStoredInOrder() throws Exception {
        LocalBlobStore store = new LocalBlobStore(root);
        java.util.Random rnd = new java.util.Random(7);
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        try (ContentWriter w = store.writer("owned", 0)) {
            for (int i = 0; i < 200; i++) {
                byte[] chunk = new byte[1 + rnd.nextInt(64 << 10)];
                rnd.nextBytes(chunk);
                all.write(chunk);
                if (i % 3 == 0) {
                    w.write(ByteBuffer.wrap(chunk));
                } else {
                    w.writeOwned(ByteBuffer.wrap(chunk));
                }
                assertEquals(all.size(), w.status().offset());
            }
            assertEquals(sha(all.toByteArray()), w.digest());
        }
        // closing waited for the last owned buffer: a resume finds every byte
        byte[] more = "tail".getBytes(StandardCharsets.UTF_8);
        all.write(more);
        Digest d = sha(all.toByteArray());
        try (ContentWriter w = store.writer("owned", 0)) {
            assertEquals(all.size() - more.length, w.status().offset());
            w.writeOwned(ByteBuffer.wrap(more));
            w.commit(all.size(), d, Map.of());
        }
        assertTrue(java.util.Arrays.equals(all.toByteArray(), Files.readAllBytes(store.path(d))));
    }

    @Test
    void commitMovesTheIngestIntoAReadOnlyBlob() throws Exception {
        LocalBlobStore store = new LocalBlobStore(root);
        Digest d = sha("hello world".getBytes());
        try (ContentWriter w = store.writer("r1", 11)) {
            w.write(buf("hello "));
            w.write(buf("world"));
            assertEquals(11, w.status().offset());
            assertEquals(d, w.digest());
            assertEquals(List.of("r1"), store.ingests());
            w.commit(11, d, Map.of());
        }
        Path blob = root.resolve("blobs/sha256/" + d.encoded());
        assertEquals(blob, store.path(d));
        assertEquals("hello world", Files.readString(blob));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(blob)));
        assertEquals(11, store.info(d).size());
        assertEquals(List.of(d), store.list());
        assertEquals(List.of(), store.ingests());
        try (var dirs = Files.list(root.resolve("ingest"))) {
            assertEquals(0, dirs.count());
        }
    }

    @Test
    void badDigestOrSizeFailsPreconditionLeavesNoBlobAndKeepsTheIngest() throws Exception {
        LocalBlobStore store = new LocalBlobStore(root);
        Digest wrong = sha("other".getBytes());
        ContentWriter w = store.writer("r1", 0);
        w.write(buf("data"));
        ContainerdException e = assertThrows(ContainerdException.class, () -> w.commit(0, wrong, Map.of()));
        assertEquals(ErrorCode.FAILED_PRECONDITION, e.code());
        assertEquals("unexpected commit digest " + sha("data".getBytes()) + ", expected " + wrong
                + ": failed precondition", e.getMessage());
        assertEquals(List.of(), store.list());
        assertEquals(4, store.status("r1").offset());

        ContentWriter w2 = store.writer("r1", 0); // the failed commit released the lock
        e = assertThrows(ContainerdException.class, () -> w2.commit(5, null, Map.of()));
        assertEquals("unexpected commit size 4, expected 5: failed precondition", e.getMessage());
        assertEquals(List.of(), store.list());
    }

    @Test
    void aClosedIngestResumesInANewStoreAsAfterARestart() throws Exception {
        LocalBlobStore store = new LocalBlobStore(root);
        IngestStatus first;
        try (ContentWriter w = store.writer("tar-blobs/sha256/x", 10)) {
            w.write(buf("01234"));
            first = w.status();
        }
        LocalBlobStore again = new LocalBlobStore(root);
        IngestStatus st = again.status("tar-blobs/sha256/x");
        assertEquals(5, st.offset());
        assertEquals(10, st.total());
        assertEquals(first.startedAt(), st.startedAt());
        try (ContentWriter w = again.writer("tar-blobs/sha256/x", 10)) {
            assertEquals(5, w.status().offset());
            assertEquals(sha("01234".getBytes()), w.digest());
            w.write(buf("56789"));
            w.commit(10, sha("0123456789".getBytes()), Map.of());
        }
        assertEquals("0123456789", Files.readString(again.path(sha("0123456789".getBytes()))));
    }

    @Test
    void anotherTotalRestartsTheIngest() throws Exception {
        LocalBlobStore store = new LocalBlobStore(root);
        try (ContentWriter w = store.writer("r", 10)) {
            w.write(buf("abc"));
        }
        try (ContentWriter w = store.writer("r", 20)) {
            assertEquals(0, w.status().offset());
            assertEquals(20, w.status().total());
        }
        assertEquals(0, store.status("r").offset());
    }

    @Test
    void oneWriterPerRef() throws Exception {
        LocalBlobStore store = new LocalBlobStore(root);
        try (ContentWriter w = store.writer("r", 0)) {
            ContainerdException e = assertThrows(ContainerdException.class, () -> store.writer("r", 0));
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertTrue(e.getMessage().startsWith("ref r locked for "), e.getMessage());
            store.writer("other", 0).close();
        }
        store.writer("r", 0).close();
    }

    @Test
    void anExistingBlobIsAlreadyExistsAndTheIngestGoes() throws Exception {
        LocalBlobStore store = new LocalBlobStore(root);
        Digest d = sha("x".getBytes());
        try (ContentWriter w = store.writer("a", 0)) {
            w.write(buf("x"));
            w.commit(1, d, Map.of());
        }
        ContentWriter w = store.writer("b", 0);
        w.write(buf("x"));
        ContainerdException e = assertThrows(ContainerdException.class, () -> w.commit(1, d, Map.of()));
        assertEquals(ErrorCode.ALREADY_EXISTS, e.code());
        assertEquals("content " + d + ": already exists", e.getMessage());
        assertEquals(List.of(), store.ingests());
    }

    @Test
    void truncateAbortAndDelete() throws Exception {
        LocalBlobStore store = new LocalBlobStore(root);
        try (ContentWriter w = store.writer("t", 0)) {
            w.write(buf("garbage"));
            w.truncate(0);
            assertThrows(ContainerdException.class, () -> w.truncate(3));
            w.write(buf("ok"));
            assertEquals(sha("ok".getBytes()), w.digest());
        }
        assertEquals(2, store.status("t").offset());
        assertTrue(store.abort("t"));
        assertFalse(store.abort("t"));
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(ContainerdException.class, () -> store.status("t")).code());

        Digest d = sha("y".getBytes());
        try (ContentWriter w = store.writer("y", 0)) {
            w.write(buf("y"));
            w.commit(0, null, Map.of());
        }
        assertTrue(store.delete(d));
        assertNull(store.path(d));
        assertEquals("content " + d + ": not found",
                assertThrows(ContainerdException.class, () -> store.info(d)).getMessage());
    }
}
