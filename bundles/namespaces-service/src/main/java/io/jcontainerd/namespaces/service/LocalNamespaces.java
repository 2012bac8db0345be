package io.jcontainerd.namespaces.service;

import static io.jcontainerd.errdefs.Errdefs.q;

import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.namespaces.Namespace;
import io.jcontainerd.namespaces.NamespaceService;
import io.jcontainerd.namespaces.NamespaceStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Namespace operations, each one metadata transaction (containerd's {@code services/namespaces/local.go}). */
public final class LocalNamespaces implements NamespaceService {
    private static final String LABELS_PREFIX = "labels.";

    private final MetadataStore db;

    public LocalNamespaces(MetadataStore db) {
        this.db = db;
    }

    @Override
    public Namespace get(String name) {
        return db.view(tx -> new Namespace(name, tx.namespaces().labels(name)));
    }

    @Override
    public List<Namespace> list() {
        return db.view(tx -> {
            NamespaceStore store = tx.namespaces();
            List<Namespace> out = new ArrayList<>();
            for (String name : store.list()) {
                out.add(new Namespace(name, store.labels(name)));
            }
            return out;
        });
    }

    @Override
    public Namespace create(Namespace namespace) {
        db.update(tx -> {
            NamespaceStore store = tx.namespaces();
            store.create(namespace.name(), namespace.labels());
            // labels with empty values are dropped, as containerd's per-label pass does
            namespace.labels().forEach((k, v) -> store.setLabel(namespace.name(), k, v));
            return null;
        });
        return namespace;
    }

    @Override
    public void update(Namespace namespace, List<String> fieldPaths) {
        String name = namespace.name();
        Map<String, String> labels = namespace.labels();
        db.update(tx -> {
            NamespaceStore store = tx.namespaces();
            if (fieldPaths != null && !fieldPaths.isEmpty()) {
                for (String path : fieldPaths) {
                    if (!path.startsWith(LABELS_PREFIX)) {
                        throw Errdefs.invalidArgument("cannot update %s field", q(path));
                    }
                    String key = path.substring(LABELS_PREFIX.length());
                    store.setLabel(name, key, labels.getOrDefault(key, ""));
                }
            } else {
                for (String key : store.labels(name).keySet()) {
                    store.setLabel(name, key, "");
                }
                labels.forEach((k, v) -> store.setLabel(name, k, v));
            }
            return null;
        });
    }

    @Override
    public void delete(String name) {
        db.update(tx -> {
            tx.namespaces().delete(name);
            return null;
        });
    }
}
