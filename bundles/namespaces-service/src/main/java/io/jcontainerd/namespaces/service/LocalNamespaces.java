package io.jcontainerd.namespaces.service;

import static io.jcontainerd.errdefs.Errdefs.q;

import com.google.protobuf.Message;
import containerd.events.NamespaceCreate;
import containerd.events.NamespaceDelete;
import containerd.events.NamespaceUpdate;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.namespaces.Namespace;
import io.jcontainerd.namespaces.NamespaceService;
import io.jcontainerd.namespaces.NamespaceStore;
import io.jcontainerd.types.TypedValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Namespace operations, each one metadata transaction (containerd's {@code services/namespaces/local.go}). */
public final class LocalNamespaces implements NamespaceService {
    private static final String LABELS_PREFIX = "labels.";

    private final MetadataStore db;
    private final EventPublisher events;

    public LocalNamespaces(MetadataStore db, EventPublisher events) {
        this.db = db;
        this.events = events;
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
    public Namespace create(String requestNamespace, Namespace namespace) {
        db.update(tx -> {
            NamespaceStore store = tx.namespaces();
            store.create(namespace.name(), namespace.labels());
            // labels with empty values are dropped, as containerd's per-label pass does
            namespace.labels().forEach((k, v) -> store.setLabel(namespace.name(), k, v));
            return null;
        });
        publish(requestNamespace, "/namespaces/create", NamespaceCreate.newBuilder()
                .setName(namespace.name()).putAllLabels(namespace.labels()).build());
        return namespace;
    }

    @Override
    public void update(String requestNamespace, Namespace namespace, List<String> fieldPaths) {
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
        publish(requestNamespace, "/namespaces/update", NamespaceUpdate.newBuilder()
                .setName(name).putAllLabels(labels).build());
    }

    @Override
    public void delete(String name) {
        db.update(tx -> {
            tx.namespaces().delete(name);
            return null;
        });
        publish(name, "/namespaces/delete", NamespaceDelete.newBuilder().setName(name).build());
    }

    /** Publishing fails the call after the change is committed, as in containerd. */
    private void publish(String namespace, String topic, Message event) {
        events.publish(namespace, topic, new TypedValue(event.getDescriptorForType().getFullName(), event.toByteArray()));
    }
}
