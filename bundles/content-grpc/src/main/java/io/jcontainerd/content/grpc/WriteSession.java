package io.jcontainerd.content.grpc;

import com.google.protobuf.ByteString;
import containerd.services.content.v1.WriteAction;
import containerd.services.content.v1.WriteContentRequest;
import containerd.services.content.v1.WriteContentResponse;
import io.grpc.Status;
import io.jcontainerd.content.ContentStore;
import io.jcontainerd.content.ContentWriter;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code Content/Write} stream as containerd's content server runs it: the first message names
 * the ref (and maybe total and expected digest) and opens the writer; every message is answered with
 * the writer's state. WRITE and COMMIT honour {@code offset}: a positive one must be the current
 * offset, zero on a non-empty ingest starts it again. A commit is answered twice (containerd's loop
 * send and its deferred send), as is the end of a stream the client closes without committing.
 *
 * <p>Not thread-safe: gRPC delivers one stream's messages one at a time.
 */
final class WriteSession {
    private static final System.Logger LOG = System.getLogger(WriteSession.class.getName());

    private final ContentStore store;
    private final String namespace;
    private final String lease;
    private final WriteContentResponse.Builder msg = WriteContentResponse.newBuilder();
    private ContentWriter writer;
    private String ref;
    private long total;
    private Digest expected;
    private boolean done;

    WriteSession(ContentStore store, String namespace, String lease) {
        this.store = store;
        this.namespace = namespace;
        this.lease = lease;
    }

    /** True once the stream is finished (committed, or failed). */
    boolean done() {
        return done;
    }

    /**
     * Handles one request and answers the responses to send; after a commit {@link #done()} is true and
     * the answers are the final ones. Throws (a ContainerdException or a gRPC status) to end the stream.
     */
    List<WriteContentResponse> handle(WriteContentRequest req) {
        try {
            if (writer == null) {
                open(req);
            }
            List<WriteContentResponse> out = new ArrayList<>(2);
            out.add(step(req));
            if (req.getAction() == WriteAction.COMMIT) {
                out.add(msg.build());
                finish();
            }
            return out;
        } catch (RuntimeException e) {
            finish();
            throw e;
        }
    }

    /** The client closed its side: containerd answers once more with the last state, then ends OK. */
    WriteContentResponse halfClosed() {
        if (writer == null) {
            finish();
            throw Status.UNKNOWN.withDescription("EOF").asRuntimeException();
        }
        finish();
        return msg.build();
    }

    /** Releases the writer (the ingest stays for a later resume). */
    void finish() {
        done = true;
        if (writer != null) {
            writer.close();
        }
    }

    private void open(WriteContentRequest req) {
        ref = req.getRef();
        if (ref.isEmpty()) {
            throw Status.INVALID_ARGUMENT.withDescription("first message must have a reference").asRuntimeException();
        }
        total = req.getTotal();
        expected = digest(req.getExpected());
        writer = store.writer(namespace, lease, ref, total, expected);
    }

    private WriteContentResponse step(WriteContentRequest req) {
        msg.setAction(req.getAction());
        IngestStatus ws = writer.status();
        msg.setOffset(ws.offset());
        if (!req.getExpected().isEmpty()) {
            Digest dgst = digest(req.getExpected());
            expected = dgst;
            if (exists(dgst)) {
                writer.close();
                try {
                    store.abort(namespace, ref);
                } catch (ContainerdException e) {
                    LOG.log(Level.DEBUG, "abort of {0} after the blob appeared: {1}", ref, e.getMessage());
                }
                throw Status.ALREADY_EXISTS.withDescription("blob with expected digest " + dgst + " exists")
                        .asRuntimeException();
            }
        }
        if (req.getTotal() > 0) {
            total = req.getTotal();
        }
        switch (req.getAction()) {
            case STAT -> msg.setDigest(writer.digest().toString())
                    .setStartedAt(ContentProto.time(ws.startedAt()))
                    .setUpdatedAt(ContentProto.time(ws.updatedAt()))
                    .setTotal(total);
            case WRITE, COMMIT -> {
                if (req.getOffset() > 0 && req.getOffset() != ws.offset()) {
                    throw Status.OUT_OF_RANGE.withDescription("write @" + req.getOffset()
                            + " must occur at current offset " + ws.offset()).asRuntimeException();
                }
                if (req.getOffset() == 0 && ws.offset() > 0) {
                    writer.truncate(0);
                    msg.setOffset(0);
                }
                ByteString data = req.getData();
                if (!data.isEmpty()) {
                    writer.writeOwned(data.asReadOnlyByteBuffer()); // a parsed message's bytes never change
                    msg.setOffset(msg.getOffset() + data.size());
                }
                if (req.getAction() == WriteAction.COMMIT) {
                    Map<String, String> labels = req.getLabelsMap();
                    writer.commit(total, expected, labels);
                }
                msg.setDigest(writer.digest().toString());
            }
            default -> throw Status.INVALID_ARGUMENT.withDescription("unknown write action " + req.getActionValue())
                    .asRuntimeException();
        }
        return msg.build();
    }

    private boolean exists(Digest d) {
        try {
            store.info(namespace, d);
            return true;
        } catch (ContainerdException e) {
            return false;
        }
    }

    private static Digest digest(String s) {
        if (s.isEmpty()) {
            return null;
        }
        try {
            return Digest.parse(s);
        } catch (Digest.InvalidDigestException e) {
            throw Status.INVALID_ARGUMENT.withDescription(s + ": " + e.getMessage()).asRuntimeException();
        }
    }
}
