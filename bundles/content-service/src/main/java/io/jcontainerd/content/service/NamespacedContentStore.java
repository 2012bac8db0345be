package io.jcontainerd.content.service;

import static io.jcontainerd.errdefs.Errdefs.q;

import containerd.events.ContentDelete;
import io.jcontainerd.content.BlobStore;
import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.ContentStore;
import io.jcontainerd.content.ContentWriter;
import io.jcontainerd.content.IngestRecord;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.labels.Labels;
import io.jcontainerd.leases.Resource;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.types.TypedValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The namespaced content store (containerd's {@code metadata/content.go} in "shared" mode): the
 * metadata records say which blobs and ingests a namespace has; the bytes live once in the
 * {@link BlobStore}. A namespace sees only what it committed; writing a blob another namespace already
 * committed needs no data (the writer starts complete) but still creates this namespace's record.
 *
 * <p>Delete removes only the namespace's record: the bytes stay in the backend until garbage
 * collection finds no namespace referring to them, as in containerd.
 */
public final class NamespacedContentStore implements ContentStore {
    /** How long an ingest taken outside a lease is kept before it may be cleaned up. */
    static final Duration INGEST_EXPIRY = Duration.ofHours(24);

    private final MetadataStore db;
    private final BlobStore blobs;
    private final EventPublisher events;

    public NamespacedContentStore(MetadataStore db, BlobStore blobs, EventPublisher events) {
        this.db = db;
        this.blobs = blobs;
        this.events = events;
    }

    @Override
    public ContentInfo info(String namespace, Digest digest) {
        ContentInfo info = db.view(tx -> tx.content().get(namespace, digest));
        if (info == null) {
            throw Errdefs.notFound("content digest %s", digest);
        }
        return info;
    }

    @Override
    public ContentInfo update(String namespace, ContentInfo info, List<String> fieldPaths) {
        return db.update(tx -> {
            ContentInfo current = tx.content().get(namespace, info.digest());
            if (current == null) {
                throw Errdefs.notFound("content digest %s", info.digest());
            }
            Map<String, String> labels;
            if (fieldPaths == null || fieldPaths.isEmpty()) {
                labels = new HashMap<>(info.labels());
            } else {
                labels = new HashMap<>(current.labels());
                for (String path : fieldPaths) {
                    if (path.startsWith("labels.")) {
                        String key = path.substring("labels.".length());
                        labels.put(key, info.labels().getOrDefault(key, ""));
                    } else if (path.equals("labels")) {
                        labels = new HashMap<>(info.labels());
                    } else {
                        throw Errdefs.invalidArgument("cannot update %s field on content info %s", q(path),
                                q(info.digest().toString()));
                    }
                }
            }
            validateLabels(labels);
            labels.values().removeIf(String::isEmpty); // an empty value removes the label
            ContentInfo updated = new ContentInfo(current.digest(), current.size(), current.createdAt(), Instant.now(), labels);
            tx.content().put(namespace, updated);
            return updated;
        });
    }

    /** containerd's {@code validateInfo}: every label within the size limit. */
    static void validateLabels(Map<String, String> labels) {
        try {
            Labels.validate(labels);
        } catch (ContainerdException e) {
            throw e.wrap("info.Labels");
        }
    }

    @Override
    public List<ContentInfo> list(String namespace, Filter filter) {
        List<ContentInfo> all = db.view(tx -> tx.content().list(namespace));
        return all.stream().filter(i -> filter.match(ContentAdaptors.info(i))).toList();
    }

    @Override
    public void delete(String namespace, Digest digest) {
        db.update(tx -> {
            if (!tx.content().delete(namespace, digest)) {
                throw Errdefs.notFound("content digest %s", digest);
            }
            return null;
        });
        if (events != null) {
            events.publish(namespace, "/content/delete", new TypedValue("containerd.events.ContentDelete",
                    ContentDelete.newBuilder().setDigest(digest.toString()).build().toByteArray()));
        }
    }

    @Override
    public SeekableByteChannel open(String namespace, Digest digest) {
        info(namespace, digest);
        Path p = blobs.path(digest);
        try {
            if (p == null) {
                throw new NoSuchFileException(digest.toString());
            }
            return FileChannel.open(p, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw Errdefs.notFound("blob %s expected at %s", digest, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public IngestStatus status(String namespace, String ref) {
        IngestRecord r = db.view(tx -> tx.content().ingest(namespace, ref));
        if (r == null || r.backendRef().isEmpty()) {
            throw Errdefs.notFound("reference %s", ref);
        }
        return withRef(blobs.status(r.backendRef()), ref);
    }

    @Override
    public List<IngestStatus> listStatuses(String namespace, Filter filter) {
        Map<String, IngestRecord> records = db.view(tx -> {
            Map<String, IngestRecord> m = new java.util.LinkedHashMap<>();
            for (String ref : tx.content().ingests(namespace)) {
                m.put(ref, tx.content().ingest(namespace, ref));
            }
            return m;
        });
        List<IngestStatus> out = new ArrayList<>();
        records.forEach((ref, r) -> {
            IngestStatus st;
            try {
                st = withRef(blobs.status(r.backendRef()), ref);
            } catch (ContainerdException e) {
                if (e.code() == ErrorCode.NOT_FOUND) {
                    return; // nothing on disk (yet, or any more): not active
                }
                throw e;
            }
            if (filter.match(ContentAdaptors.status(st))) {
                out.add(st);
            }
        });
        return out;
    }

    private static IngestStatus withRef(IngestStatus st, String ref) {
        return new IngestStatus(ref, st.offset(), st.total(), st.expected(), st.startedAt(), st.updatedAt());
    }

    @Override
    public void abort(String namespace, String ref) {
        IngestRecord r = db.update(tx -> {
            IngestRecord rec = tx.content().ingest(namespace, ref);
            if (rec == null || rec.backendRef().isEmpty()) {
                throw Errdefs.notFound("reference %s", ref);
            }
            tx.content().deleteIngest(namespace, ref);
            return rec;
        });
        if (r.expected() == null) {
            blobs.abort(r.backendRef()); // a shared ingest has no data of its own
        }
    }

    @Override
    public ContentWriter writer(String namespace, String lease, String ref, long total, Digest expected) {
        if (ref == null || ref.isEmpty()) {
            throw Errdefs.invalidArgument("ref must not be empty");
        }
        long[] size = {total};
        Opened opened = db.update(tx -> {
            if (expected != null && tx.content().get(namespace, expected) != null) {
                // keep the blob under the caller's lease; the caller then treats AlreadyExists as done
                try {
                    ContentLeases.add(tx, namespace, lease, new Resource(expected.toString(), ContentLeases.CONTENT));
                } catch (ContainerdException e) {
                    throw e.wrap("unable to lease content");
                }
                return new Opened(null, true, false);
            }
            boolean shared = false;
            if (expected != null) {
                ContentInfo backend = backendInfo(expected);
                if (backend != null && (total == 0 || total == backend.size())) {
                    shared = true;
                    size[0] = backend.size();
                }
            }
            IngestRecord existing = tx.content().ingest(namespace, ref);
            boolean leased = ContentLeases.add(tx, namespace, lease, new Resource(ref, ContentLeases.INGESTS));
            String backendRef = existing != null && !existing.backendRef().isEmpty()
                    ? existing.backendRef() : backendRef(namespace, ref);
            Instant expires = leased ? (existing == null ? null : existing.expiresAt()) : Instant.now().plus(INGEST_EXPIRY);
            Digest keep = shared ? expected : (existing == null ? null : existing.expected());
            tx.content().putIngest(namespace, ref, new IngestRecord(backendRef, keep, expires));
            return new Opened(backendRef, false, shared);
        });
        if (opened.exists()) {
            throw Errdefs.alreadyExists("content %s", expected);
        }
        ContentWriter backend = opened.shared() ? null : blobs.writer(opened.backendRef(), size[0]);
        return new NamespacedWriter(this, namespace, lease, ref, opened.backendRef(), backend, size[0], expected);
    }

    private record Opened(String backendRef, boolean exists, boolean shared) {
    }

    /**
     * The backend ingest of a namespace's ref: namespace, a sequence and the ref, as containerd names
     * them ({@code <ns>/<seq>/<ref>}); the sequence of a fresh ingest bucket is always 1 there.
     */
    static String backendRef(String namespace, String ref) {
        return namespace + "/1/" + ref;
    }

    ContentInfo backendInfo(Digest digest) {
        try {
            return blobs.info(digest);
        } catch (ContainerdException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    MetadataStore db() {
        return db;
    }

    BlobStore blobs() {
        return blobs;
    }
}
