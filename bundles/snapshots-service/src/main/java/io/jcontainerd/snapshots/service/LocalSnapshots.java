package io.jcontainerd.snapshots.service;

import static io.jcontainerd.errdefs.Errdefs.q;

import com.google.protobuf.Message;
import containerd.events.SnapshotCommit;
import containerd.events.SnapshotPrepare;
import containerd.events.SnapshotRemove;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.labels.Labels;
import io.jcontainerd.leases.Resource;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.metadata.Transaction;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.snapshots.Kind;
import io.jcontainerd.snapshots.SnapshotIndex;
import io.jcontainerd.snapshots.SnapshotInfo;
import io.jcontainerd.snapshots.Snapshots;
import io.jcontainerd.snapshots.Snapshotter;
import io.jcontainerd.snapshots.Usage;
import io.jcontainerd.types.TypedValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The snapshotters seen per namespace (containerd's {@code metadata/snapshot.go} wrapped by
 * {@code services/snapshots/snapshotters.go}): names live in the metadata store and map to backend keys
 * {@code <ns>/<seq>/<name>}, so namespaces never see each other's snapshots; prepare, commit and remove
 * publish their events.
 */
public final class LocalSnapshots implements Snapshots {
    /** Labels the backend keeps (containerd's {@code FilterInheritedLabels}). */
    static final String INHERITED_PREFIX = "containerd.io/snapshot/";
    static final String SNAPSHOT_REF = "containerd.io/snapshot.ref";

    private final MetadataStore db;
    private final EventPublisher events;
    private final Backends backends;

    public LocalSnapshots(MetadataStore db, EventPublisher events, Backends backends) {
        this.db = db;
        this.events = events;
        this.backends = backends;
    }

    @Override
    public SnapshotInfo stat(String namespace, String snapshotter, String key) {
        Snapshotter sn = backends.get(snapshotter, namespace);
        SnapshotIndex.Entry local = db.view(tx -> tx.snapshots().get(namespace, snapshotter, key));
        if (local == null) {
            throw Errdefs.notFound("snapshot %s does not exist", key);
        }
        return overlay(sn.stat(local.backendKey()), local.info());
    }

    @Override
    public SnapshotInfo update(String namespace, String snapshotter, SnapshotInfo info, List<String> fieldPaths) {
        Snapshotter sn = backends.get(snapshotter, namespace);
        if (info.name().isEmpty()) {
            throw new ContainerdException(ErrorCode.INVALID_ARGUMENT, "");
        }
        return backends.shared(snapshotter, () -> db.update(tx -> {
            SnapshotIndex.Entry local = tx.snapshots().get(namespace, snapshotter, info.name());
            if (local == null) {
                throw Errdefs.notFound("snapshot %s does not exist", info.name());
            }
            Map<String, String> labels = new HashMap<>(local.info().labels());
            if (fieldPaths != null && !fieldPaths.isEmpty()) {
                for (String path : fieldPaths) {
                    if (path.startsWith("labels.")) {
                        String k = path.substring("labels.".length());
                        labels.put(k, info.labels().getOrDefault(k, ""));
                    } else if (path.equals("labels")) {
                        labels = new HashMap<>(info.labels());
                    } else {
                        throw Errdefs.invalidArgument("cannot update %s field on snapshot %s", q(path), q(info.name()));
                    }
                }
            } else {
                labels = new HashMap<>(info.labels());
            }
            validate(labels);
            labels.values().removeIf(String::isEmpty);
            SnapshotInfo updated = new SnapshotInfo(info.name(), local.info().parent(), local.info().kind(), labels,
                    local.info().createdAt(), Instant.now());
            tx.snapshots().update(namespace, snapshotter, new SnapshotIndex.Entry(updated, local.backendKey()));
            SnapshotInfo inner = new SnapshotInfo(local.backendKey(), "", Kind.UNKNOWN, inherited(labels), null, null);
            return overlay(sn.update(inner, fieldPaths), updated);
        }));
    }

    @Override
    public Usage usage(String namespace, String snapshotter, String key) {
        Snapshotter sn = backends.get(snapshotter, namespace);
        return sn.usage(resolve(namespace, snapshotter, key));
    }

    @Override
    public List<Mount> mounts(String namespace, String snapshotter, String key) {
        Snapshotter sn = backends.get(snapshotter, namespace);
        return sn.mounts(resolve(namespace, snapshotter, key));
    }

    @Override
    public List<Mount> prepare(String namespace, String lease, String snapshotter, String key, String parent,
            Map<String, String> labels) {
        List<Mount> mounts = create(namespace, lease, snapshotter, key, parent, labels, false);
        publish(namespace, "/snapshot/prepare", SnapshotPrepare.newBuilder().setKey(key).setParent(nz(parent)).build());
        return mounts;
    }

    @Override
    public List<Mount> view(String namespace, String lease, String snapshotter, String key, String parent,
            Map<String, String> labels) {
        return create(namespace, lease, snapshotter, key, parent, labels, true);
    }

    private List<Mount> create(String namespace, String lease, String snapshotter, String key, String parent,
            Map<String, String> labels, boolean readonly) {
        Snapshotter sn = backends.get(snapshotter, namespace);
        Map<String, String> base = labels == null ? Map.of() : labels;
        validate(base);
        String p = nz(parent);
        return backends.shared(snapshotter, () -> {
            String[] backend = {null, ""}; // key, parent
            db.update(tx -> {
                SnapshotIndex idx = tx.snapshots();
                String target = base.get(SNAPSHOT_REF);
                if (target != null && !target.isEmpty() && idx.get(namespace, snapshotter, target) != null) {
                    throw Errdefs.alreadyExists("target snapshot %s", q(target));
                }
                if (idx.get(namespace, snapshotter, key) != null) {
                    throw Errdefs.alreadyExists("snapshot %s", q(key));
                }
                if (!p.isEmpty()) {
                    SnapshotIndex.Entry pe = idx.get(namespace, snapshotter, p);
                    if (pe == null) {
                        throw Errdefs.notFound("parent snapshot %s does not exist", p);
                    }
                    backend[1] = pe.backendKey();
                }
                backend[0] = namespace + "/" + idx.nextSequence(namespace, snapshotter) + "/" + key;
                return null;
            });
            List<Mount> mounts;
            try {
                mounts = readonly ? sn.view(backend[0], backend[1], inherited(base))
                        : sn.prepare(backend[0], backend[1], inherited(base));
            } catch (ContainerdException e) {
                if (e.code() == ErrorCode.ALREADY_EXISTS) {
                    // backend keys are unique; only a shared target (snapshot.ref) could collide, which is
                    // not supported here
                    throw new ContainerdException(ErrorCode.UNKNOWN, "unexpected error from snapshotter: "
                            + e.getMessage() + ": unknown", e);
                }
                throw e;
            }
            try {
                db.update(tx -> {
                    addLease(tx, namespace, lease, snapshotter, key);
                    Instant now = Instant.now();
                    tx.snapshots().create(namespace, snapshotter, new SnapshotIndex.Entry(new SnapshotInfo(key, p,
                            readonly ? Kind.VIEW : Kind.ACTIVE, base, now, now), backend[0]));
                    return null;
                });
            } catch (RuntimeException e) {
                try {
                    sn.remove(backend[0]);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            return mounts;
        });
    }

    @Override
    public void commit(String namespace, String lease, String snapshotter, String name, String key,
            Map<String, String> labels) {
        Snapshotter sn = backends.get(snapshotter, namespace);
        Map<String, String> base = labels == null ? Map.of() : labels;
        validate(base);
        backends.shared(snapshotter, () -> db.update(tx -> {
            SnapshotIndex idx = tx.snapshots();
            if (idx.get(namespace, snapshotter, name) != null) {
                throw Errdefs.alreadyExists("snapshot %s", q(name));
            }
            addLease(tx, namespace, lease, snapshotter, name);
            SnapshotIndex.Entry old = idx.get(namespace, snapshotter, key);
            if (old == null) {
                throw Errdefs.notFound("snapshot %s does not exist", key);
            }
            String nameKey = namespace + "/" + idx.nextSequence(namespace, snapshotter) + "/" + name;
            Instant now = Instant.now();
            idx.delete(namespace, snapshotter, key);
            idx.create(namespace, snapshotter, new SnapshotIndex.Entry(new SnapshotInfo(name, old.info().parent(),
                    Kind.COMMITTED, base, now, now), nameKey));
            removeLease(tx, namespace, lease, snapshotter, key);
            // last, inside the transaction: if the backend refuses, no record changes
            sn.commit(nameKey, old.backendKey(), inherited(base));
            return null;
        }));
        publish(namespace, "/snapshot/commit", SnapshotCommit.newBuilder().setKey(key).setName(name).build());
    }

    @Override
    public void remove(String namespace, String snapshotter, String key) {
        backends.get(snapshotter);
        backends.shared(snapshotter, () -> db.update(tx -> {
            SnapshotIndex idx = tx.snapshots();
            if (idx.get(namespace, snapshotter, key) == null) {
                throw Errdefs.notFound("snapshot %s does not exist", key);
            }
            if (!idx.children(namespace, snapshotter, key).isEmpty()) {
                throw Errdefs.failedPrecondition("cannot remove snapshot with child");
            }
            idx.delete(namespace, snapshotter, key);
            return null;
        }));
        publish(namespace, "/snapshot/remove", SnapshotRemove.newBuilder().setKey(key).build());
        backends.collectSoon(snapshotter);
    }

    @Override
    public List<SnapshotInfo> list(String namespace, String snapshotter, Filter filter) {
        Snapshotter sn = backends.get(snapshotter, namespace);
        List<SnapshotIndex.Entry> entries = db.view(tx -> tx.snapshots().list(namespace, snapshotter));
        List<SnapshotInfo> out = new ArrayList<>();
        for (SnapshotIndex.Entry e : entries) {
            SnapshotInfo info;
            try {
                info = overlay(sn.stat(e.backendKey()), e.info());
            } catch (ContainerdException ex) {
                if (ex.code() == ErrorCode.NOT_FOUND) {
                    continue;
                }
                throw ex;
            }
            if (filter == null || filter.match(SnapshotFilters.adaptor(info))) {
                out.add(info);
            }
        }
        return out;
    }

    @Override
    public List<String> snapshotters() {
        return backends.names();
    }

    @Override
    public void cleanup(String namespace, String snapshotter) {
        backends.get(snapshotter);
        garbageCollect(snapshotter);
    }

    @Override
    public void garbageCollect(String snapshotter) {
        backends.collect(snapshotter, db);
    }

    private String resolve(String namespace, String snapshotter, String key) {
        SnapshotIndex.Entry e = db.view(tx -> tx.snapshots().get(namespace, snapshotter, key));
        if (e == null || e.backendKey().isEmpty()) {
            throw Errdefs.notFound("snapshot %s does not exist", key);
        }
        return e.backendKey();
    }

    /** containerd's {@code overlayInfo}: the backend's kind and labels under the namespace's record. */
    static SnapshotInfo overlay(SnapshotInfo backend, SnapshotInfo local) {
        Map<String, String> labels = new TreeMap<>(backend.labels());
        labels.putAll(local.labels());
        return new SnapshotInfo(local.name(), local.parent(), backend.kind(), labels, local.createdAt(), local.updatedAt());
    }

    static Map<String, String> inherited(Map<String, String> labels) {
        Map<String, String> out = new HashMap<>();
        labels.forEach((k, v) -> {
            if (k.equals(SNAPSHOT_REF) || k.startsWith(INHERITED_PREFIX)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static void validate(Map<String, String> labels) {
        try {
            Labels.validate(labels);
        } catch (ContainerdException e) {
            throw e.wrap("info.Labels");
        }
    }

    private static void addLease(Transaction tx, String namespace, String lease, String snapshotter, String key) {
        if (lease == null) {
            return;
        }
        try {
            tx.leases().addResource(namespace, lease, new Resource(key, "snapshots/" + snapshotter));
        } catch (ContainerdException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                throw Errdefs.notFound("lease does not exist");
            }
            throw e;
        }
    }

    /** Drops the snapshot from the call's lease ({@code lease}); without one, nothing to do. */
    private static void removeLease(Transaction tx, String namespace, String lease, String snapshotter, String key) {
        if (lease == null) {
            return;
        }
        try {
            tx.leases().deleteResource(namespace, lease, new Resource(key, "snapshots/" + snapshotter));
        } catch (ContainerdException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
        }
    }

    private void publish(String namespace, String topic, Message event) {
        events.publish(namespace, topic, new TypedValue(event.getDescriptorForType().getFullName(), event.toByteArray()));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
