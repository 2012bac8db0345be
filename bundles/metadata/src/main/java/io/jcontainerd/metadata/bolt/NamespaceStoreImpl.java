package io.jcontainerd.metadata.bolt;

import static io.jcontainerd.errdefs.Errdefs.q;
import static io.jcontainerd.metadata.bolt.Keys.V1;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.identifiers.Identifiers;
import io.jcontainerd.labels.Labels;
import io.jcontainerd.namespaces.NamespaceStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Namespaces on the key space (containerd's {@code metadata/namespaces.go} semantics). */
final class NamespaceStoreImpl implements NamespaceStore {
    private static final byte[] MARKER = new byte[0];

    private final KvTx tx;

    NamespaceStoreImpl(KvTx tx) {
        this.tx = tx;
    }

    @Override
    public void create(String namespace, Map<String, String> labels) {
        Identifiers.validate(namespace);
        validateLabels(labels);
        if (tx.exists(Keys.of(V1, namespace))) {
            throw Errdefs.alreadyExists("namespace %s", q(namespace));
        }
        tx.put(Keys.of(V1, namespace), MARKER);
        if (labels != null) {
            labels.forEach((k, v) -> tx.put(Keys.of(V1, namespace, Keys.LABELS, k), utf8(v)));
        }
    }

    @Override
    public Map<String, String> labels(String namespace) {
        Map<String, String> labels = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : tx.scan(Keys.below(V1, namespace, Keys.LABELS))) {
            labels.put(Keys.last(e.getKey()), new String(e.getValue(), StandardCharsets.UTF_8));
        }
        return labels;
    }

    @Override
    public void setLabel(String namespace, String key, String value) {
        // containerd 1.6 skips this check and so creates namespaces it can no longer delete
        Identifiers.validate(namespace);
        validateLabel(key, value);
        ensure(tx, namespace);
        String k = Keys.of(V1, namespace, Keys.LABELS, key);
        if (value == null || value.isEmpty()) {
            tx.delete(k);
        } else {
            tx.put(k, utf8(value));
        }
    }

    @Override
    public List<String> list() {
        List<String> names = new ArrayList<>();
        String prefix = Keys.below(V1);
        String k = tx.ceilingKey(prefix);
        while (k != null && k.startsWith(prefix)) {
            String rest = k.substring(prefix.length());
            int sep = rest.indexOf(Keys.SEP);
            String ns = sep < 0 ? rest : rest.substring(0, sep);
            names.add(ns);
            k = tx.ceilingKey(Keys.after(V1, ns));
        }
        return names;
    }

    @Override
    public void delete(String namespace) {
        List<String> kinds = new ArrayList<>();
        if (tx.any(Keys.below(V1, namespace, Keys.IMAGES))) {
            kinds.add("images");
        }
        if (tx.any(Keys.below(V1, namespace, Keys.CONTENT, Keys.BLOBS))) {
            kinds.add("blobs");
        }
        if (tx.any(Keys.below(V1, namespace, Keys.CONTAINERS))) {
            kinds.add("containers");
        }
        String snapshots = Keys.below(V1, namespace, Keys.SNAPSHOTS);
        String k = tx.ceilingKey(snapshots);
        while (k != null && k.startsWith(snapshots)) {
            String rest = k.substring(snapshots.length());
            int sep = rest.indexOf(Keys.SEP);
            String snapshotter = sep < 0 ? rest : rest.substring(0, sep);
            if (tx.any(Keys.below(V1, namespace, Keys.SNAPSHOTS, snapshotter))) {
                kinds.add("snapshots on " + q(snapshotter) + " snapshotter");
            }
            k = tx.ceilingKey(Keys.after(V1, namespace, Keys.SNAPSHOTS, snapshotter));
        }
        if (!kinds.isEmpty()) {
            throw Errdefs.failedPrecondition("namespace %s must be empty, but it still has %s",
                    q(namespace), String.join(", ", kinds));
        }
        if (!tx.exists(Keys.of(V1, namespace))) {
            throw Errdefs.notFound("namespace %s", q(namespace));
        }
        tx.deleteAll(Keys.below(V1, namespace));
        tx.delete(Keys.of(V1, namespace));
    }

    /** Makes the namespace exist, as writing any object in it does. */
    static void ensure(KvTx tx, String namespace) {
        String marker = Keys.of(V1, namespace);
        if (!tx.exists(marker)) {
            tx.put(marker, MARKER);
        }
    }

    private static void validateLabels(Map<String, String> labels) {
        if (labels != null) {
            labels.forEach(NamespaceStoreImpl::validateLabel);
        }
    }

    private static void validateLabel(String key, String value) {
        try {
            Labels.validate(key, value);
        } catch (ContainerdException e) {
            throw e.wrap("namespace.Labels");
        }
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
