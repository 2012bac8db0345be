package io.jcontainerd.gc.scheduler;

import io.jcontainerd.containers.Container;
import io.jcontainerd.content.BlobStore;
import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.IngestRecord;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.images.Image;
import io.jcontainerd.leases.Lease;
import io.jcontainerd.leases.Resource;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.metadata.Transaction;
import io.jcontainerd.snapshots.SnapshotIndex;
import io.jcontainerd.snapshots.Snapshots;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One garbage collection, containerd's metadata GC: mark everything reachable from the roots of every
 * namespace, remove the records nobody reaches, then remove the blobs and backend snapshots no record
 * names any more.
 *
 * <p>Roots: live leases and their resources (a lease labelled {@code containerd.io/gc.flat} holds its
 * snapshots without their labelled references), images' targets, containers' snapshots, records
 * labelled {@code containerd.io/gc.root}, ingests taken outside a lease until they expire. References: a blob's or
 * snapshot's labels {@code containerd.io/gc.ref.content[.|/<name>]} and
 * {@code containerd.io/gc.ref.snapshot.<snapshotter>[/<name>]}, a snapshot's parent, the blob an ingest
 * expects. Containers
 * and images are never collected; expired leases are.
 *
 * <p>Marking, removing records and removing unreferenced blobs run in one metadata write transaction,
 * so no writer can create a record for a blob between the mark and the removal of the blob (content
 * commits name their digest in the ingest record before the blob appears). Snapshotters' copies are
 * removed afterwards by the snapshots service, under the lock its creations take.
 *
 * <p>The content store's blobs and ingests are listed only when a blob or ingest record went since the
 * last listing (and at the first collection of a store), as containerd collects its content store only
 * when it is dirty: after a container's run nothing of the content store changes, and listing it would
 * cost each collection time in proportion to the number of blobs, under the metadata write lock.
 */
final class Collector {
    static final String GC_ROOT = "containerd.io/gc.root";
    static final String GC_EXPIRE = "containerd.io/gc.expire";
    static final String GC_FLAT = "containerd.io/gc.flat";
    static final String REF_CONTENT = "containerd.io/gc.ref.content";
    static final String REF_SNAPSHOT = "containerd.io/gc.ref.snapshot.";

    private static final System.Logger LOG = System.getLogger(Collector.class.getName());

    /** What a collection removed. */
    record Stats(int leases, int contentRecords, int snapshotRecords, int ingestRecords, int blobs) {
    }

    private enum Kind { CONTENT, SNAPSHOT, INGEST }

    /** A resource of a namespace; snapshots keyed {@code <snapshotter>/<name>}. */
    private record Node(Kind kind, String namespace, String key) {
    }

    private final MetadataStore metadata;
    private final Supplier<BlobStore> blobs;
    private final Supplier<Snapshots> snapshots;
    private final Clock clock;
    // guarded by the metadata write transaction that every collection runs in
    /** The content store last listed, and the metadata's count of content removals then. */
    private BlobStore listedStore;
    private long removalsWhenListed;

    Collector(MetadataStore metadata, Supplier<BlobStore> blobs, Supplier<Snapshots> snapshots, Clock clock) {
        this.metadata = metadata;
        this.blobs = blobs;
        this.snapshots = snapshots;
        this.clock = clock;
    }

    Stats collect() {
        Stats stats = metadata.update(this::collect);
        // the snapshotters' own copies go after the transaction, under the snapshots service's lock
        // that keeps them apart from snapshots being created (which write records in between)
        Snapshots sn = snapshots.get();
        if (sn != null && stats.snapshotRecords() > 0) {
            for (String name : sn.snapshotters()) {
                try {
                    sn.garbageCollect(name);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "gc: snapshotter " + name + ": " + e.getMessage());
                }
            }
        }
        return stats;
    }

    private Stats collect(Transaction tx) {
        Instant now = clock.instant();
        List<String> namespaces = tx.namespaces().list();
        Marker marker = new Marker(tx);
        Map<String, List<Lease>> expiredByNs = new HashMap<>();
        for (String ns : namespaces) {
            marker.roots(ns, now, expiredByNs.computeIfAbsent(ns, k -> new ArrayList<>()));
        }
        marker.drain();
        Set<Node> marked = marker.marked;

        int leases = 0;
        int contentRecords = 0;
        int snapshotRecords = 0;
        int ingestRecords = 0;
        Set<Digest> liveBlobs = new HashSet<>(marker.expectedBlobs);
        Set<String> liveIngests = new HashSet<>();
        for (String ns : namespaces) {
            for (Lease l : expiredByNs.get(ns)) {
                tx.leases().delete(ns, l.id());
                leases++;
            }
            for (String ref : tx.content().ingests(ns)) {
                if (marked.contains(new Node(Kind.INGEST, ns, ref))) {
                    IngestRecord r = tx.content().ingest(ns, ref);
                    if (r != null) {
                        liveIngests.add(r.backendRef());
                    }
                } else if (tx.content().deleteIngest(ns, ref)) {
                    ingestRecords++;
                }
            }
            for (ContentInfo info : tx.content().list(ns)) {
                if (marked.contains(new Node(Kind.CONTENT, ns, info.digest().toString()))) {
                    liveBlobs.add(info.digest());
                } else if (tx.content().delete(ns, info.digest())) {
                    contentRecords++;
                }
            }
            for (String sn : tx.snapshots().snapshotters(ns)) {
                for (SnapshotIndex.Entry e : tx.snapshots().list(ns, sn)) {
                    if (!marked.contains(new Node(Kind.SNAPSHOT, ns, sn + "/" + e.info().name()))
                            && tx.snapshots().delete(ns, sn, e.info().name())) {
                        snapshotRecords++;
                    }
                }
            }
        }

        int removedBlobs = 0;
        BlobStore store = blobs.get();
        long removals = tx.content().removals();
        if (store != null && (store != listedStore || removals != removalsWhenListed)) {
            for (Digest d : store.list()) {
                if (!liveBlobs.contains(d) && store.delete(d)) {
                    removedBlobs++;
                }
            }
            // every namespaced ingest records its backend ingest before opening it
            for (String ref : store.ingests()) {
                if (!liveIngests.contains(ref)) {
                    store.abort(ref);
                }
            }
            listedStore = store;
            removalsWhenListed = removals;
        }
        return new Stats(leases, contentRecords, snapshotRecords, ingestRecords, removedBlobs);
    }

    /** The mark phase over one transaction. */
    private static final class Marker {
        private final Transaction tx;
        final Set<Node> marked = new HashSet<>();
        /** Snapshots reached only through flat leases: their labels were not followed (yet). */
        private final Set<Node> flatOnly = new HashSet<>();
        private final Deque<Node> queue = new ArrayDeque<>();
        private final Deque<Node> flatQueue = new ArrayDeque<>();
        /** Blobs that live ingests expect: kept on disk even where no namespace has a record yet. */
        final Set<Digest> expectedBlobs = new HashSet<>();

        Marker(Transaction tx) {
            this.tx = tx;
        }

        void roots(String ns, Instant now, List<Lease> expired) {
            for (Lease lease : tx.leases().list(ns, Filter.ALWAYS)) {
                if (expired(lease, now)) {
                    expired.add(lease);
                    continue;
                }
                boolean flat = lease.labels().containsKey(GC_FLAT);
                for (Resource r : tx.leases().listResources(ns, lease.id())) {
                    if (r.type().equals("content")) {
                        reach(new Node(Kind.CONTENT, ns, r.id()), flat);
                    } else if (r.type().equals("ingests")) {
                        reach(new Node(Kind.INGEST, ns, r.id()), false);
                    } else if (r.type().startsWith("snapshots/")) {
                        reach(new Node(Kind.SNAPSHOT, ns, r.type().substring("snapshots/".length()) + "/" + r.id()),
                                flat);
                    }
                }
            }
            for (Image image : tx.images().list(ns, Filter.ALWAYS)) {
                if (image.target() != null && image.target().digest() != null) {
                    reach(new Node(Kind.CONTENT, ns, image.target().digest().toString()), false);
                }
                labelRefs(ns, image.labels());
            }
            for (ContentInfo info : tx.content().list(ns)) {
                if (info.labels().containsKey(GC_ROOT)) {
                    reach(new Node(Kind.CONTENT, ns, info.digest().toString()), false);
                }
            }
            // an ingest taken outside a lease lives until it expires (24 hours after it began)
            for (String ref : tx.content().ingests(ns)) {
                IngestRecord r = tx.content().ingest(ns, ref);
                if (r != null && r.expiresAt() != null && now.isBefore(r.expiresAt())) {
                    reach(new Node(Kind.INGEST, ns, ref), false);
                }
            }
            for (Container c : tx.containers().list(ns, Filter.ALWAYS)) {
                if (!c.snapshotter().isEmpty() && !c.snapshotKey().isEmpty()) {
                    reach(new Node(Kind.SNAPSHOT, ns, c.snapshotter() + "/" + c.snapshotKey()), false);
                }
                labelRefs(ns, c.labels());
            }
            for (String sn : tx.snapshots().snapshotters(ns)) {
                for (SnapshotIndex.Entry e : tx.snapshots().list(ns, sn)) {
                    if (e.info().labels().containsKey(GC_ROOT)) {
                        reach(new Node(Kind.SNAPSHOT, ns, sn + "/" + e.info().name()), false);
                    }
                }
            }
        }


        void drain() {
            while (!queue.isEmpty() || !flatQueue.isEmpty()) {
                Node n = !queue.isEmpty() ? queue.poll() : flatQueue.poll();
                boolean flat = flatOnly.contains(n);
                switch (n.kind()) {
                    case CONTENT -> {
                        if (flat) {
                            break;
                        }
                        Digest d = digest(n.key());
                        ContentInfo info = d == null ? null : tx.content().get(n.namespace(), d);
                        if (info != null) {
                            labelRefs(n.namespace(), info.labels());
                        }
                    }
                    case SNAPSHOT -> {
                        int slash = n.key().indexOf('/');
                        String sn = n.key().substring(0, slash);
                        SnapshotIndex.Entry e = tx.snapshots().get(n.namespace(), sn, n.key().substring(slash + 1));
                        if (e == null) {
                            break;
                        }
                        if (!e.info().parent().isEmpty()) {
                            reach(new Node(Kind.SNAPSHOT, n.namespace(), sn + "/" + e.info().parent()), flat);
                        }
                        if (!flat) {
                            labelRefs(n.namespace(), e.info().labels());
                        }
                    }
                    case INGEST -> {
                        IngestRecord r = tx.content().ingest(n.namespace(), n.key());
                        if (r != null && r.expected() != null) {
                            reach(new Node(Kind.CONTENT, n.namespace(), r.expected().toString()), false);
                            expectedBlobs.add(r.expected());
                        }
                    }
                }
            }
        }

        /** Marks {@code n}; a flat reach does not follow labels, a later full reach does. */
        private void reach(Node n, boolean flat) {
            if (marked.add(n)) {
                if (flat) {
                    flatOnly.add(n);
                    flatQueue.add(n);
                } else {
                    queue.add(n);
                }
            } else if (!flat && flatOnly.remove(n)) {
                queue.add(n);
            }
        }

        private void labelRefs(String ns, Map<String, String> labels) {
            for (Map.Entry<String, String> l : labels.entrySet()) {
                String k = l.getKey();
                if (k.startsWith(REF_CONTENT) && (k.length() == REF_CONTENT.length()
                        || k.charAt(REF_CONTENT.length()) == '.' || k.charAt(REF_CONTENT.length()) == '/')) {
                    if (digest(l.getValue()) != null) {
                        reach(new Node(Kind.CONTENT, ns, l.getValue()), false);
                    }
                } else if (k.startsWith(REF_SNAPSHOT) && k.length() > REF_SNAPSHOT.length()) {
                    String sn = k.substring(REF_SNAPSHOT.length());
                    int slash = sn.indexOf('/');
                    if (slash >= 0) {
                        sn = sn.substring(0, slash);
                    }
                    if (!sn.isEmpty() && !l.getValue().isEmpty()) {
                        reach(new Node(Kind.SNAPSHOT, ns, sn + "/" + l.getValue()), false);
                    }
                }
            }
        }
    }

    static boolean expired(Lease lease, Instant now) {
        String exp = lease.labels().get(GC_EXPIRE);
        if (exp == null) {
            return false;
        }
        try {
            return now.isAfter(OffsetDateTime.parse(exp).toInstant());
        } catch (DateTimeParseException e) {
            // as containerd: an unreadable expiry is ignored and the lease kept
            return false;
        }
    }

    private static Digest digest(String s) {
        try {
            return Digest.parse(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
