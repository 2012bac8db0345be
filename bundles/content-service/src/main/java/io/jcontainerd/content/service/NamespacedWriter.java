package io.jcontainerd.content.service;

import static io.jcontainerd.errdefs.Errdefs.q;

import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.ContentWriter;
import io.jcontainerd.content.IngestRecord;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.leases.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A namespace's writer (containerd's {@code namespacedWriter}). It wraps a backend writer; when the
 * expected blob is already in the backend (committed by another namespace) it starts with none and
 * reports the write complete, and the commit only records the blob for this namespace. Data written
 * to such a writer first copies the shared blob into a private ingest.
 */
final class NamespacedWriter implements ContentWriter {
    private final NamespacedContentStore store;
    private final String namespace;
    private final String lease;
    private final String ref;
    private final String backendRef;
    private final long sharedSize;
    private final Digest sharedDigest;
    private final Instant started = Instant.now();
    private ContentWriter backend;

    NamespacedWriter(NamespacedContentStore store, String namespace, String lease, String ref, String backendRef,
            ContentWriter backend, long size, Digest expected) {
        this.store = store;
        this.namespace = namespace;
        this.lease = lease;
        this.ref = ref;
        this.backendRef = backendRef;
        this.backend = backend;
        this.sharedSize = size;
        this.sharedDigest = expected;
    }

    @Override
    public IngestStatus status() {
        if (backend == null) {
            return new IngestStatus(ref, sharedSize, sharedSize, sharedDigest, started, started);
        }
        IngestStatus st = backend.status();
        return new IngestStatus(ref, st.offset(), st.total(), st.expected(), st.startedAt(), st.updatedAt());
    }

    @Override
    public void write(ByteBuffer data) {
        if (unshared(data)) {
            backend.write(data);
        }
    }

    @Override
    public void writeOwned(ByteBuffer data) {
        if (unshared(data)) {
            backend.writeOwned(data);
        }
    }

    /** Before data goes to a writer that shares another namespace's blob: a private ingest for it. */
    private boolean unshared(ByteBuffer data) {
        if (backend == null) {
            if (!data.hasRemaining()) {
                return false;
            }
            unshare(sharedSize);
        }
        return true;
    }

    @Override
    public void truncate(long size) {
        if (backend != null) {
            backend.truncate(size);
        } else {
            unshare(size);
        }
    }

    @Override
    public Digest digest() {
        return backend == null ? sharedDigest : backend.digest();
    }

    /** Starts a private ingest holding the first {@code size} bytes of the shared blob. */
    private void unshare(long size) {
        ContentWriter w = store.blobs().writer(backendRef, sharedSize);
        try {
            if (size > 0) {
                Path p = store.blobs().path(sharedDigest);
                if (p == null) {
                    throw Errdefs.notFound("content %s", sharedDigest);
                }
                try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ)) {
                    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                    long left = size;
                    while (left > 0) {
                        buf.clear().limit((int) Math.min(buf.capacity(), left));
                        int n = in.read(buf);
                        if (n < 0) {
                            break;
                        }
                        buf.flip();
                        w.write(buf);
                        left -= n;
                    }
                }
            }
        } catch (IOException e) {
            w.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
        backend = w;
    }

    @Override
    public ContentInfo commit(long size, Digest expected, Map<String, String> labels) {
        Map<String, String> kept = new HashMap<>(labels == null ? Map.of() : labels);
        try {
            NamespacedContentStore.validateLabels(kept);
        } catch (ContainerdException e) {
            close();
            throw e;
        }
        kept.values().removeIf(String::isEmpty);
        Digest actual;
        if (backend == null) {
            if (size != 0 && size != sharedSize) {
                throw Errdefs.failedPrecondition("%s failed size validation: %d != %d", q(ref), sharedSize, size);
            }
            if (expected != null && !expected.equals(sharedDigest)) {
                throw Errdefs.failedPrecondition("%s unexpected digest", q(ref));
            }
            size = sharedSize;
            actual = sharedDigest;
        } else {
            long offset = backend.status().offset();
            if (size != 0 && size != offset) {
                backend.close();
                throw Errdefs.failedPrecondition("%s failed size validation: %d != %d", q(ref), offset, size);
            }
            size = offset;
            // the ingest record names the digest before the blob appears in the backend, so that a
            // garbage collection between the backend's commit and the blob record keeps the blob
            Digest written = backend.digest();
            store.db().update(tx -> {
                IngestRecord r = tx.content().ingest(namespace, ref);
                if (r != null) {
                    tx.content().putIngest(namespace, ref, new IngestRecord(r.backendRef(), written, r.expiresAt()));
                }
                return null;
            });
            try {
                backend.commit(size, expected, Map.of());
            } catch (ContainerdException e) {
                if (e.code() != ErrorCode.ALREADY_EXISTS) {
                    throw e;
                }
            }
            actual = backend.digest();
        }
        long committedSize = size;
        ContentInfo[] created = {null};
        store.db().update(tx -> {
            if (tx.content().get(namespace, actual) == null) {
                Instant now = Instant.now();
                created[0] = new ContentInfo(actual, committedSize, now, now, kept);
                tx.content().put(namespace, created[0]);
            }
            tx.content().deleteIngest(namespace, ref);
            ContentLeases.remove(tx, namespace, lease, new Resource(ref, ContentLeases.INGESTS));
            ContentLeases.add(tx, namespace, lease, new Resource(actual.toString(), ContentLeases.CONTENT));
            return null;
        });
        if (created[0] == null) {
            throw Errdefs.alreadyExists("content %s", actual);
        }
        return created[0];
    }

    @Override
    public void close() {
        if (backend != null) {
            backend.close();
        }
    }
}
