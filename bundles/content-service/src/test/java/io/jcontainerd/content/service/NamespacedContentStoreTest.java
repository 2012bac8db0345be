package io.jcontainerd.content.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.ContentWriter;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.content.local.LocalBlobStore;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.leases.Resource;
import io.jcontainerd.metadata.bolt.BoltMetadataStore;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class NamespacedContentStoreTest {
    @TempDir
    Path dir;
    BoltMetadataStore db;
    LocalBlobStore blobs;
    NamespacedContentStore cs;
    final List<String> published = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        db = BoltMetadataStore.open(dir.resolve("meta"));
        blobs = new LocalBlobStore(dir.resolve("content"));
        cs = new NamespacedContentStore(db, blobs, (ns, topic, event) -> published.add(ns + " " + topic + " " + event.typeUrl()));
    }

    @AfterEach
    void close() {
        db.close();
    }

    static Digest sha(String s) throws Exception {
        return new Digest("sha256", HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))));
    }

    static ByteBuffer buf(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    ContentInfo put(String ns, String ref, String data, Map<String, String> labels) throws Exception {
        try (ContentWriter w = cs.writer(ns, null, ref, data.length(), sha(data))) {
            w.write(buf(data));
            return w.commit(data.length(), sha(data), labels);
        }
    }

    static ContainerdException fails(ErrorCode code, Executable e) {
        ContainerdException ex = assertThrows(ContainerdException.class, e);
        assertEquals(code, ex.code(), ex.getMessage());
        return ex;
    }

    @Test
    void aCommittedBlobIsVisibleOnlyInItsNamespace() throws Exception {
        ContentInfo info = put("a", "r1", "hello", Map.of("k", "v"));
        assertEquals(5, info.size());
        assertEquals(info, cs.info("a", sha("hello")));
        assertEquals("content digest " + sha("hello") + ": not found",
                fails(ErrorCode.NOT_FOUND, () -> cs.info("b", sha("hello"))).getMessage());
        fails(ErrorCode.NOT_FOUND, () -> cs.open("b", sha("hello")));
        try (SeekableByteChannel ch = cs.open("a", sha("hello"))) {
            assertEquals(5, ch.size());
        }
        assertEquals(List.of(), cs.listStatuses("a", Filter.ALWAYS));
        assertEquals(List.of(), cs.list("b", Filter.ALWAYS));
    }

    @Test
    void anExpectedDigestAlreadyInTheNamespaceIsAlreadyExists() throws Exception {
        put("a", "r1", "hello", Map.of());
        assertEquals("content " + sha("hello") + ": already exists",
                fails(ErrorCode.ALREADY_EXISTS, () -> cs.writer("a", null, "r2", 5, sha("hello"))).getMessage());
        assertEquals(List.of(), cs.listStatuses("a", Filter.ALWAYS));
    }

    @Test
    void aBlobOfAnotherNamespaceIsCompleteAtOnceAndCommitsWithoutData() throws Exception {
        put("a", "r1", "hello", Map.of());
        try (ContentWriter w = cs.writer("b", null, "r1", 0, sha("hello"))) {
            IngestStatus st = w.status();
            assertEquals(5, st.offset());
            assertEquals(5, st.total());
            assertEquals("r1", st.ref());
            assertEquals(sha("hello"), w.digest());
            ContentInfo info = w.commit(5, sha("hello"), Map.of("x", "y"));
            assertEquals(Map.of("x", "y"), info.labels());
        }
        assertEquals(5, cs.info("b", sha("hello")).size());
        // a wrong size leaves the backend blob unshared
        try (ContentWriter w = cs.writer("c", null, "r1", 4, sha("hello"))) {
            assertEquals(0, w.status().offset());
        }
    }

    @Test
    void writingIntoASharedWriterCopiesThenContinues() throws Exception {
        put("a", "r1", "hello", Map.of());
        try (ContentWriter w = cs.writer("b", null, "r1", 5, sha("hello"))) {
            w.truncate(0);
            assertEquals(0, w.status().offset());
            w.write(buf("hello"));
            w.commit(5, sha("hello"), Map.of());
        }
        assertNotNull(cs.info("b", sha("hello")));
    }

    @Test
    void namespacesNeverShareAnIngestButOneRefHasOneWriter() throws Exception {
        try (ContentWriter a = cs.writer("a", null, "same", 0, null);
             ContentWriter b = cs.writer("b", null, "same", 0, null)) {
            a.write(buf("aaa"));
            b.write(buf("b"));
            assertEquals("ref a/1/same locked for",
                    fails(ErrorCode.UNAVAILABLE, () -> cs.writer("a", null, "same", 0, null)).getMessage()
                            .replaceAll(" [0-9.µnms]+ \\(since .*", ""));
        }
        assertEquals(3, cs.status("a", "same").offset());
        assertEquals(1, cs.status("b", "same").offset());
        assertEquals("same", cs.status("b", "same").ref());
        assertEquals(List.of("a/1/same", "b/1/same"), blobs.ingests().stream().sorted().toList());
    }

    @Test
    void leasesHoldTheIngestThenTheContent() throws Exception {
        db.update(tx -> tx.leases().create("a", "l1", Map.of()));
        ContentWriter w = cs.writer("a", "l1", "r1", 0, null);
        assertEquals(List.of(new Resource("r1", "ingests")), db.view(tx -> tx.leases().listResources("a", "l1")));
        w.write(buf("leased"));
        w.commit(0, null, Map.of());
        assertEquals(List.of(new Resource(sha("leased").toString(), "content")),
                db.view(tx -> tx.leases().listResources("a", "l1")));
        assertEquals("lease does not exist: not found",
                fails(ErrorCode.NOT_FOUND, () -> cs.writer("a", "nope", "r2", 0, null)).getMessage());
        // AlreadyExists still leases the blob
        db.update(tx -> tx.leases().create("a", "l2", Map.of()));
        fails(ErrorCode.ALREADY_EXISTS, () -> cs.writer("a", "l2", "r3", 0, sha("leased")));
        assertEquals(List.of(new Resource(sha("leased").toString(), "content")),
                db.view(tx -> tx.leases().listResources("a", "l2")));
    }

    @Test
    void badDigestFailsPreconditionLeavesNoBlobAndKeepsTheIngest() throws Exception {
        Digest wrong = sha("other");
        try (ContentWriter w = cs.writer("a", null, "bad", 0, null)) {
            w.write(buf("data"));
            ContainerdException e = fails(ErrorCode.FAILED_PRECONDITION, () -> w.commit(4, wrong, Map.of()));
            assertEquals("unexpected commit digest " + sha("data") + ", expected " + wrong + ": failed precondition",
                    e.getMessage());
        }
        assertEquals(List.of(), blobs.list());
        assertEquals(List.of(), cs.list("a", Filter.ALWAYS));
        assertEquals(List.of("bad"), cs.listStatuses("a", Filter.ALWAYS).stream().map(IngestStatus::ref).toList());
        try (ContentWriter w = cs.writer("a", null, "bad2", 0, null)) {
            w.write(buf("data"));
            assertEquals("\"bad2\" failed size validation: 4 != 9: failed precondition",
                    fails(ErrorCode.FAILED_PRECONDITION, () -> w.commit(9, null, Map.of())).getMessage());
        }
    }

    @Test
    void labelsAreValidatedAndUpdatedByFieldPath() throws Exception {
        put("a", "r", "x", Map.of("a", "1", "b", "2"));
        Digest d = sha("x");
        ContentInfo in = new ContentInfo(d, 0, null, null, Map.of("b", "", "c", "3"));
        assertEquals(Map.of("a", "1", "c", "3"), cs.update("a", in, List.of("labels.b", "labels.c")).labels());
        assertEquals(Map.of("c", "3"), cs.update("a", in, List.of("labels")).labels());
        assertEquals(Map.of("c", "3"), cs.update("a", in, List.of()).labels());
        assertEquals("cannot update \"size\" field on content info \"" + d + "\": invalid argument",
                fails(ErrorCode.INVALID_ARGUMENT, () -> cs.update("a", in, List.of("size"))).getMessage());
        ContentInfo big = new ContentInfo(d, 0, null, null, Map.of("kkkkkkkkkkkk", "v".repeat(4096)));
        assertEquals("info.Labels: label key and value greater than maximum size (4096 bytes), key: kkkkkkkkkk: invalid argument",
                fails(ErrorCode.INVALID_ARGUMENT, () -> cs.update("a", big, List.of())).getMessage());
        fails(ErrorCode.NOT_FOUND, () -> cs.update("b", in, List.of()));
        try (ContentWriter w = cs.writer("a", null, "big", 0, null)) {
            w.write(buf("y"));
            fails(ErrorCode.INVALID_ARGUMENT, () -> w.commit(0, null, big.labels()));
        }
        assertNull(blobs.path(sha("y")));
    }

    @Test
    void filtersAsContainerd() throws Exception {
        put("a", "r1", "one", Map.of("k", "v"));
        put("a", "r2", "two", Map.of());
        assertEquals(List.of(sha("one")), digests(cs.list("a", Filters.parse("labels.k==v"))));
        assertEquals(List.of(sha("two")), digests(cs.list("a", Filters.parse("digest==" + sha("two")))));
        assertEquals(List.of(), digests(cs.list("a", Filters.parse("size==3"))));
        assertEquals(2, cs.list("a", Filters.parseRequest(List.of())).size());

        cs.writer("a", null, "ing-1", 0, null).close();
        cs.writer("a", null, "other", 0, null).close();
        assertEquals(List.of("ing-1"), cs.listStatuses("a", Filters.parse("ref~=ing")).stream().map(IngestStatus::ref).toList());
    }

    private static List<Digest> digests(List<ContentInfo> infos) {
        return infos.stream().map(ContentInfo::digest).toList();
    }

    @Test
    void statusAbortAndDelete() throws Exception {
        assertEquals("reference nope: not found", fails(ErrorCode.NOT_FOUND, () -> cs.status("a", "nope")).getMessage());
        try (ContentWriter w = cs.writer("a", null, "r", 10, null)) {
            w.write(buf("abc"));
        }
        IngestStatus st = cs.status("a", "r");
        assertEquals(3, st.offset());
        assertEquals(10, st.total());
        cs.abort("a", "r");
        fails(ErrorCode.NOT_FOUND, () -> cs.abort("a", "r"));
        assertEquals(List.of(), blobs.ingests());

        put("a", "r", "gone", Map.of());
        cs.delete("a", sha("gone"));
        fails(ErrorCode.NOT_FOUND, () -> cs.info("a", sha("gone")));
        fails(ErrorCode.NOT_FOUND, () -> cs.delete("a", sha("gone")));
        assertTrue(Files.exists(blobs.path(sha("gone"))), "the bytes wait for garbage collection");
        assertEquals(List.of("a /content/delete containerd.events.ContentDelete"), published);
    }

    @Test
    void anIngestResumesAfterARestart() throws Exception {
        try (ContentWriter w = cs.writer("a", null, "r", 6, null)) {
            w.write(buf("abc"));
        }
        db.close();
        db = BoltMetadataStore.open(dir.resolve("meta"));
        cs = new NamespacedContentStore(db, new LocalBlobStore(dir.resolve("content")), null);
        assertEquals(List.of("r"), cs.listStatuses("a", Filter.ALWAYS).stream().map(IngestStatus::ref).toList());
        try (ContentWriter w = cs.writer("a", null, "r", 6, sha("abcdef"))) {
            assertEquals(3, w.status().offset());
            w.write(buf("def"));
            w.commit(6, sha("abcdef"), Map.of());
        }
        assertEquals(6, cs.info("a", sha("abcdef")).size());
    }
}
