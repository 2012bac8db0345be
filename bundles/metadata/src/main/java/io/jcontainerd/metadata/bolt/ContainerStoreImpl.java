package io.jcontainerd.metadata.bolt;

import static io.jcontainerd.errdefs.Errdefs.q;
import static io.jcontainerd.metadata.bolt.Keys.CONTAINERS;
import static io.jcontainerd.metadata.bolt.Keys.V1;

import io.jcontainerd.containers.Container;
import io.jcontainerd.containers.ContainerStore;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.filters.Adaptor;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.identifiers.Identifiers;
import io.jcontainerd.labels.Labels;
import io.jcontainerd.types.TypedValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Containers on the key space, with containerd's validation, update rules and messages
 * ({@code metadata/containers.go}). {@code v1/<ns>/containers} marks that the namespace has held
 * containers (bolt's bucket), which decides between containerd's two NotFound messages.
 */
final class ContainerStoreImpl implements ContainerStore {
    private static final byte[] MARKER = new byte[0];
    private static final List<String> ALL_FIELDS = List.of("labels", "spec", "extensions", "image", "snapshotkey");

    private final KvTx tx;

    ContainerStoreImpl(KvTx tx) {
        this.tx = tx;
    }

    @Override
    public Container get(String namespace, String id) {
        byte[] data = tx.get(Keys.of(V1, namespace, CONTAINERS, id));
        if (data == null) {
            throw Errdefs.notFound("container %s in namespace %s", q(id), q(namespace));
        }
        return RecordCodec.decodeContainer(id, data);
    }

    @Override
    public List<Container> list(String namespace, Filter filter) {
        List<Container> out = new ArrayList<>();
        String prefix = Keys.below(V1, namespace, CONTAINERS);
        for (Map.Entry<String, byte[]> e : tx.scan(prefix)) {
            Container c = RecordCodec.decodeContainer(e.getKey().substring(prefix.length()), e.getValue());
            if (filter.match(adaptor(c))) {
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public Container create(String namespace, Container container) {
        try {
            validate(container);
        } catch (ContainerdException e) {
            throw e.wrap("create container failed validation");
        }
        String key = Keys.of(V1, namespace, CONTAINERS, container.id());
        if (tx.exists(key)) {
            throw Errdefs.alreadyExists("container %s", q(container.id()));
        }
        Instant now = Instant.now();
        Container stored = container.withLabels(Container.kept(container.labels())).withTimes(now, now);
        NamespaceStoreImpl.ensure(tx, namespace);
        tx.put(Keys.of(V1, namespace, CONTAINERS), MARKER);
        tx.put(key, RecordCodec.encode(stored));
        return stored;
    }

    @Override
    public Container update(String namespace, Container container, List<String> fieldPaths) {
        String id = container.id();
        if (id.isEmpty()) {
            throw Errdefs.invalidArgument("must specify a container id");
        }
        if (!tx.exists(Keys.of(V1, namespace, CONTAINERS))) {
            throw Errdefs.notFound("cannot update container %s in namespace %s", q(id), q(namespace));
        }
        byte[] data = tx.get(Keys.of(V1, namespace, CONTAINERS, id));
        if (data == null) {
            throw Errdefs.notFound("container %s", q(id));
        }
        Container current = RecordCodec.decodeContainer(id, data);
        List<String> paths = fieldPaths;
        if (paths == null || paths.isEmpty()) {
            paths = ALL_FIELDS;
            if (!current.snapshotter().equals(container.snapshotter())) {
                throw Errdefs.invalidArgument("container.Snapshotter field is immutable");
            }
            if (!current.runtime().name().equals(container.runtime().name())) {
                throw Errdefs.invalidArgument("container.Runtime.Name field is immutable");
            }
        }
        Map<String, String> labels = new HashMap<>(current.labels());
        Map<String, TypedValue> extensions = new HashMap<>(current.extensions());
        TypedValue spec = current.spec();
        String image = current.image();
        String snapshotKey = current.snapshotKey();
        for (String path : paths) {
            if (path.startsWith("labels.")) {
                String k = path.substring("labels.".length());
                labels.put(k, container.labels().getOrDefault(k, ""));
                continue;
            }
            if (path.startsWith("extensions.")) {
                String k = path.substring("extensions.".length());
                extensions.put(k, container.extensions().getOrDefault(k, new TypedValue("", null)));
                continue;
            }
            switch (path) {
                case "labels" -> labels = new HashMap<>(container.labels());
                case "spec" -> spec = container.spec();
                case "extensions" -> extensions = new HashMap<>(container.extensions());
                case "image" -> image = container.image();
                case "snapshotkey" -> snapshotKey = container.snapshotKey();
                default -> throw Errdefs.invalidArgument("cannot update %s field on %s", q(path), q(id));
            }
        }
        Container updated = new Container(id, labels, image, current.runtime(), spec, current.snapshotter(),
                snapshotKey, current.createdAt(), Instant.now(), extensions);
        try {
            validate(updated);
        } catch (ContainerdException e) {
            throw e.wrap("update failed validation");
        }
        updated = updated.withLabels(Container.kept(updated.labels()));
        tx.put(Keys.of(V1, namespace, CONTAINERS, id), RecordCodec.encode(updated));
        return updated;
    }

    @Override
    public void delete(String namespace, String id) {
        if (!tx.exists(Keys.of(V1, namespace, CONTAINERS))) {
            throw Errdefs.notFound("cannot delete container %s in namespace %s", q(id), q(namespace));
        }
        String key = Keys.of(V1, namespace, CONTAINERS, id);
        if (!tx.exists(key)) {
            throw Errdefs.notFound("container %s", id);
        }
        tx.delete(key);
        tx.markDirty();
    }

    /** containerd's {@code validateContainer}. */
    static void validate(Container c) {
        try {
            Identifiers.validate(c.id());
        } catch (ContainerdException e) {
            throw e.wrap("container.ID");
        }
        for (String k : c.extensions().keySet()) {
            if (k.isEmpty()) {
                throw Errdefs.invalidArgument("container.Extension keys must not be zero-length");
            }
        }
        try {
            Labels.validate(c.labels());
        } catch (ContainerdException e) {
            throw e.wrap("containers.Labels");
        }
        if (c.runtime().name().isEmpty()) {
            throw Errdefs.invalidArgument("container.Runtime.Name must be set");
        }
        if (c.spec() == null) {
            throw Errdefs.invalidArgument("container.Spec must be set");
        }
        if (!c.snapshotKey().isEmpty() && c.snapshotter().isEmpty()) {
            throw Errdefs.invalidArgument("container.Snapshotter must be set if container.SnapshotKey is set");
        }
    }

    /** The fields filters see: {@code id}, {@code image}, {@code runtime.name}, {@code labels.<key>}. */
    static Adaptor adaptor(Container c) {
        return path -> {
            if (path.isEmpty()) {
                return null;
            }
            return switch (path.get(0)) {
                case "id" -> nonEmpty(c.id());
                case "image" -> nonEmpty(c.image());
                case "runtime" -> path.size() > 1 && path.get(1).equals("name") ? nonEmpty(c.runtime().name()) : null;
                case "labels" -> c.labels().isEmpty() ? null : c.labels().get(String.join(".", path.subList(1, path.size())));
                default -> null;
            };
        };
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
