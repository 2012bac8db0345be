package io.jcontainerd.containers.service;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import containerd.events.ContainerCreate;
import containerd.events.ContainerDelete;
import containerd.events.ContainerUpdate;
import io.jcontainerd.containers.Container;
import io.jcontainerd.containers.ContainerService;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.types.TypedValue;
import java.util.List;

/**
 * Container operations, each one metadata transaction followed by its event, as containerd's
 * {@code services/containers/local.go}.
 */
public final class LocalContainers implements ContainerService {
    private final MetadataStore db;
    private final EventPublisher events;

    public LocalContainers(MetadataStore db, EventPublisher events) {
        this.db = db;
        this.events = events;
    }

    @Override
    public Container get(String namespace, String id) {
        return db.view(tx -> tx.containers().get(namespace, id));
    }

    @Override
    public List<Container> list(String namespace, List<String> filters) {
        Filter filter = Filters.parseRequest(filters);
        return db.view(tx -> tx.containers().list(namespace, filter));
    }

    @Override
    public Container create(String namespace, Container container) {
        Container created = db.update(tx -> tx.containers().create(namespace, container));
        ContainerCreate.Runtime.Builder runtime = ContainerCreate.Runtime.newBuilder().setName(created.runtime().name());
        if (created.runtime().options() != null) {
            runtime.setOptions(any(created.runtime().options()));
        }
        publish(namespace, "/containers/create", ContainerCreate.newBuilder()
                .setId(created.id()).setImage(created.image()).setRuntime(runtime).build());
        return created;
    }

    @Override
    public Container update(String namespace, Container container, List<String> fieldPaths) {
        if (container.id().isEmpty()) {
            throw Errdefs.invalidArgument("Container.ID required");
        }
        Container updated = db.update(tx -> tx.containers().update(namespace, container, fieldPaths));
        publish(namespace, "/containers/update", ContainerUpdate.newBuilder()
                .setId(updated.id()).setImage(updated.image()).putAllLabels(updated.labels())
                .setSnapshotKey(updated.snapshotKey()).build());
        return updated;
    }

    @Override
    public void delete(String namespace, String id) {
        db.update(tx -> {
            tx.containers().delete(namespace, id);
            return null;
        });
        publish(namespace, "/containers/delete", ContainerDelete.newBuilder().setId(id).build());
    }

    private void publish(String namespace, String topic, Message event) {
        events.publish(namespace, topic, new TypedValue(event.getDescriptorForType().getFullName(), event.toByteArray()));
    }

    private static Any any(TypedValue v) {
        return Any.newBuilder().setTypeUrl(v.typeUrl()).setValue(ByteString.copyFrom(v.value())).build();
    }
}
