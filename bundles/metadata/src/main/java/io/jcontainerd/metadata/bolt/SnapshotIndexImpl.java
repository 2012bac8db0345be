package io.jcontainerd.metadata.bolt;

import static io.jcontainerd.errdefs.Errdefs.q;
import static io.jcontainerd.metadata.bolt.Keys.SNAPSHOTS;
import static io.jcontainerd.metadata.bolt.Keys.V1;

import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.snapshots.SnapshotIndex;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Namespaced snapshot records on the key space, as containerd's snapshotter buckets:
 * <pre>
 * v1/&lt;ns&gt;/snapshots/&lt;sn&gt;                       the bucket; its value is the sequence
 * v1/&lt;ns&gt;/snapshots/&lt;sn&gt;/&lt;key&gt;                 the record ({@link SnapshotCodec})
 * v1/&lt;ns&gt;/snapshots/&lt;sn&gt;/&lt;key&gt;/children/&lt;k&gt;   one child of the snapshot (empty value)
 * </pre>
 */
final class SnapshotIndexImpl implements SnapshotIndex {
    private static final String CHILDREN = "children";
    private static final byte[] EMPTY = new byte[0];

    private final KvTx tx;

    SnapshotIndexImpl(KvTx tx) {
        this.tx = tx;
    }

    @Override
    public Entry get(String namespace, String snapshotter, String key) {
        byte[] data = tx.get(Keys.of(V1, namespace, SNAPSHOTS, snapshotter, key));
        return data == null ? null : SnapshotCodec.decode(key, data);
    }

    @Override
    public List<Entry> list(String namespace, String snapshotter) {
        List<Entry> out = new ArrayList<>();
        for (String key : names(Keys.below(V1, namespace, SNAPSHOTS, snapshotter))) {
            Entry e = get(namespace, snapshotter, key);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public List<String> snapshotters(String namespace) {
        List<String> out = new ArrayList<>();
        for (String sn : names(Keys.below(V1, namespace, SNAPSHOTS))) {
            if (tx.any(Keys.below(V1, namespace, SNAPSHOTS, sn))) {
                out.add(sn);
            }
        }
        return out;
    }

    @Override
    public boolean delete(String namespace, String snapshotter, String key) {
        Entry e = get(namespace, snapshotter, key);
        if (e == null) {
            return false;
        }
        if (!e.info().parent().isEmpty()) {
            tx.delete(Keys.of(V1, namespace, SNAPSHOTS, snapshotter, e.info().parent(), CHILDREN, key));
        }
        tx.deleteAll(Keys.below(V1, namespace, SNAPSHOTS, snapshotter, key));
        tx.delete(Keys.of(V1, namespace, SNAPSHOTS, snapshotter, key));
        tx.markDirty();
        return true;
    }

    @Override
    public long nextSequence(String namespace, String snapshotter) {
        String bucket = Keys.of(V1, namespace, SNAPSHOTS, snapshotter);
        byte[] v = tx.get(bucket);
        long next = (v == null || v.length == 0 ? 0 : Long.parseLong(new String(v, StandardCharsets.US_ASCII))) + 1;
        NamespaceStoreImpl.ensure(tx, namespace);
        tx.put(bucket, Long.toString(next).getBytes(StandardCharsets.US_ASCII));
        return next;
    }

    @Override
    public void create(String namespace, String snapshotter, Entry entry) {
        String key = entry.info().name();
        String k = Keys.of(V1, namespace, SNAPSHOTS, snapshotter, key);
        if (tx.exists(k)) {
            throw Errdefs.alreadyExists("snapshot %s", q(key));
        }
        String parent = entry.info().parent();
        if (!parent.isEmpty()) {
            if (!tx.exists(Keys.of(V1, namespace, SNAPSHOTS, snapshotter, parent))) {
                throw Errdefs.notFound("parent snapshot %s does not exist", parent);
            }
            tx.put(Keys.of(V1, namespace, SNAPSHOTS, snapshotter, parent, CHILDREN, key), EMPTY);
        }
        NamespaceStoreImpl.ensure(tx, namespace);
        String bucket = Keys.of(V1, namespace, SNAPSHOTS, snapshotter);
        if (!tx.exists(bucket)) {
            tx.put(bucket, EMPTY);
        }
        tx.put(k, SnapshotCodec.encode(entry));
    }

    @Override
    public void update(String namespace, String snapshotter, Entry entry) {
        String key = entry.info().name();
        Entry current = get(namespace, snapshotter, key);
        if (current == null) {
            throw Errdefs.notFound("snapshot %s does not exist", key);
        }
        Entry updated = new Entry(new io.jcontainerd.snapshots.SnapshotInfo(key, current.info().parent(),
                current.info().kind(), entry.info().labels(), entry.info().createdAt(), entry.info().updatedAt()),
                current.backendKey());
        tx.put(Keys.of(V1, namespace, SNAPSHOTS, snapshotter, key), SnapshotCodec.encode(updated));
    }

    @Override
    public List<String> children(String namespace, String snapshotter, String key) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : tx.scan(Keys.below(V1, namespace, SNAPSHOTS, snapshotter, key, CHILDREN))) {
            out.add(Keys.last(e.getKey()));
        }
        return out;
    }

    /** The distinct first components of the keys below {@code prefix}. */
    private List<String> names(String prefix) {
        List<String> out = new ArrayList<>();
        String k = tx.ceilingKey(prefix);
        while (k != null && k.startsWith(prefix)) {
            String rest = k.substring(prefix.length());
            int sep = rest.indexOf(Keys.SEP);
            String name = sep < 0 ? rest : rest.substring(0, sep);
            out.add(name);
            k = tx.ceilingKey(prefix + name + '\u0001');
        }
        return out;
    }
}
