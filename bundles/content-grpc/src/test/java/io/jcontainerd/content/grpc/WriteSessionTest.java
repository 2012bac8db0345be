package io.jcontainerd.content.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import containerd.services.content.v1.WriteAction;
import containerd.services.content.v1.WriteContentRequest;
import containerd.services.content.v1.WriteContentResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.content.local.LocalBlobStore;
import io.jcontainerd.content.service.NamespacedContentStore;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.metadata.bolt.BoltMetadataStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteSessionTest {
    static final String EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @TempDir
    Path dir;
    BoltMetadataStore db;
    LocalBlobStore blobs;
    NamespacedContentStore cs;

    @BeforeEach
    void open() throws Exception {
        db = BoltMetadataStore.open(dir.resolve("meta"));
        blobs = new LocalBlobStore(dir.resolve("content"));
        cs = new NamespacedContentStore(db, blobs, null);
    }

    @AfterEach
    void close() {
        db.close();
    }

    static String sha(String s) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    static WriteContentRequest.Builder req(WriteAction action) {
        return WriteContentRequest.newBuilder().setAction(action);
    }

    static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /** The exchange ctr's content.WriteBlob makes: stat, stat, write, commit. */
    void ingest(String ns, String ref, String data) throws Exception {
        WriteSession s = new WriteSession(cs, ns, null);
        WriteContentResponse first = s.handle(req(WriteAction.STAT).setRef(ref).setTotal(data.length())
                .setExpected(sha(data)).build()).get(0);
        long offset = first.getOffset();
        if (offset < data.length()) {
            offset = s.handle(req(WriteAction.WRITE).setOffset(offset).setData(bytes(data.substring((int) offset))).build())
                    .get(0).getOffset();
        }
        List<WriteContentResponse> done = s.handle(req(WriteAction.COMMIT).setTotal(data.length()).setOffset(offset)
                .setExpected(sha(data)).build());
        assertEquals(2, done.size());
        assertTrue(s.done());
    }

    @Test
    void statWriteCommitAnswersAsContainerd() throws Exception {
        WriteSession s = new WriteSession(cs, "default", null);
        WriteContentResponse st = s.handle(req(WriteAction.STAT).setRef("r1").setTotal(5).setExpected(sha("hello")).build()).get(0);
        assertEquals(WriteAction.STAT, st.getAction());
        assertEquals(0, st.getOffset());
        assertEquals(5, st.getTotal());
        assertEquals(EMPTY, st.getDigest());
        assertTrue(st.getStartedAt().getSeconds() > 0);

        WriteContentResponse w = s.handle(req(WriteAction.WRITE).setData(bytes("hel")).build()).get(0);
        assertEquals(WriteAction.WRITE, w.getAction());
        assertEquals(3, w.getOffset());
        assertEquals(sha("hel"), w.getDigest());
        assertEquals(5, w.getTotal(), "the response message carries earlier fields along, as containerd's");

        w = s.handle(req(WriteAction.WRITE).setOffset(3).setData(bytes("lo")).build()).get(0);
        assertEquals(5, w.getOffset());

        List<WriteContentResponse> commit = s.handle(req(WriteAction.COMMIT).setTotal(5).setOffset(5)
                .setExpected(sha("hello")).putLabels("k", "v").build());
        assertEquals(2, commit.size());
        assertEquals(commit.get(0), commit.get(1));
        assertEquals(WriteAction.COMMIT, commit.get(0).getAction());
        assertEquals(5, commit.get(0).getOffset());
        assertEquals(sha("hello"), commit.get(0).getDigest());
        assertEquals("v", cs.info("default", Digest.parse(sha("hello"))).labels().get("k"));
    }

    @Test
    void anExpectedBlobOfTheNamespaceEndsTheStreamAlreadyExists() throws Exception {
        ingest("default", "r1", "hello");
        ContainerdException e = assertThrows(ContainerdException.class, () -> new WriteSession(cs, "default", null)
                .handle(req(WriteAction.STAT).setRef("r2").setExpected(sha("hello")).build()));
        assertEquals(ErrorCode.ALREADY_EXISTS, e.code());
        assertEquals("content " + sha("hello") + ": already exists", e.getMessage());
    }

    @Test
    void aBlobOfAnotherNamespaceIsCompleteAtOnceAndCommitsWithoutData() throws Exception {
        ingest("a", "r1", "hello");
        WriteSession s = new WriteSession(cs, "b", null);
        WriteContentResponse st = s.handle(req(WriteAction.STAT).setRef("r1").setTotal(5).setExpected(sha("hello")).build()).get(0);
        assertEquals(5, st.getOffset());
        assertEquals(5, st.getTotal());
        assertEquals(sha("hello"), st.getDigest());
        List<WriteContentResponse> commit = s.handle(req(WriteAction.COMMIT).setTotal(5).setOffset(5)
                .setExpected(sha("hello")).build());
        assertEquals(5, commit.get(1).getOffset());
        assertEquals(5, cs.info("b", Digest.parse(sha("hello"))).size());
    }

    @Test
    void offsetsAreHonoured() throws Exception {
        WriteSession s = new WriteSession(cs, "default", null);
        s.handle(req(WriteAction.STAT).setRef("r").build());
        s.handle(req(WriteAction.WRITE).setData(bytes("abc")).build());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> s.handle(req(WriteAction.WRITE).setOffset(5).setData(bytes("x")).build()));
        assertEquals(Status.Code.OUT_OF_RANGE, e.getStatus().getCode());
        assertEquals("write @5 must occur at current offset 3", e.getStatus().getDescription());
        assertTrue(s.done());

        // offset 0 on a non-empty ingest starts it over
        WriteSession again = new WriteSession(cs, "default", null);
        assertEquals(3, again.handle(req(WriteAction.STAT).setRef("r").build()).get(0).getOffset());
        WriteContentResponse w = again.handle(req(WriteAction.WRITE).setOffset(0).setData(bytes("xy")).build()).get(0);
        assertEquals(2, w.getOffset());
        assertEquals(sha("xy"), w.getDigest());
    }

    @Test
    void aStreamClosedWithoutCommitKeepsTheIngestForAResume() throws Exception {
        WriteSession s = new WriteSession(cs, "default", null);
        s.handle(req(WriteAction.STAT).setRef("r").setTotal(6).build());
        s.handle(req(WriteAction.WRITE).setData(bytes("abc")).build());
        assertEquals(3, s.halfClosed().getOffset());
        assertEquals(List.of("r"), cs.listStatuses("default", Filter.ALWAYS).stream().map(IngestStatus::ref).toList());

        WriteSession resumed = new WriteSession(cs, "default", null);
        assertEquals(3, resumed.handle(req(WriteAction.STAT).setRef("r").setTotal(6).build()).get(0).getOffset());
        resumed.handle(req(WriteAction.WRITE).setOffset(3).setData(bytes("def")).build());
        resumed.handle(req(WriteAction.COMMIT).setOffset(6).setTotal(6).setExpected(sha("abcdef")).build());
        assertEquals(6, cs.info("default", Digest.parse(sha("abcdef"))).size());
    }

    @Test
    void badCommitsAndBadFirstMessages() throws Exception {
        WriteSession s = new WriteSession(cs, "default", null);
        s.handle(req(WriteAction.STAT).setRef("bad").build());
        s.handle(req(WriteAction.WRITE).setData(bytes("data")).build());
        ContainerdException e = assertThrows(ContainerdException.class,
                () -> s.handle(req(WriteAction.COMMIT).setOffset(4).setExpected(sha("other")).build()));
        assertEquals(ErrorCode.FAILED_PRECONDITION, e.code());
        assertEquals(List.of(), blobs.list());
        assertEquals(List.of("bad"), cs.listStatuses("default", Filter.ALWAYS).stream().map(IngestStatus::ref).toList());

        WriteSession s2 = new WriteSession(cs, "default", null);
        s2.handle(req(WriteAction.STAT).setRef("short").setTotal(10).build());
        s2.handle(req(WriteAction.WRITE).setData(bytes("data")).build());
        e = assertThrows(ContainerdException.class, () -> s2.handle(req(WriteAction.COMMIT).setOffset(4).build()));
        assertEquals("\"short\" failed size validation: 4 != 10: failed precondition", e.getMessage());

        StatusRuntimeException noRef = assertThrows(StatusRuntimeException.class,
                () -> new WriteSession(cs, "default", null).handle(req(WriteAction.STAT).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, noRef.getStatus().getCode());
        assertEquals("first message must have a reference", noRef.getStatus().getDescription());
    }
}
