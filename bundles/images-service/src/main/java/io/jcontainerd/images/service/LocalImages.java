package io.jcontainerd.images.service;

import com.google.protobuf.Message;
import containerd.services.images.v1.ImageCreate;
import containerd.services.images.v1.ImageDelete;
import containerd.services.images.v1.ImageUpdate;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.gc.GarbageCollector;
import io.jcontainerd.images.Image;
import io.jcontainerd.images.ImageService;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.types.TypedValue;
import java.util.List;
import java.util.function.Supplier;

/**
 * Image operations, each one metadata transaction followed by its event, as containerd's
 * {@code services/images/local.go}. A synchronous delete then runs a full garbage collection, when a
 * collector is there to run one.
 */
public final class LocalImages implements ImageService {
    private static final System.Logger LOG = System.getLogger(LocalImages.class.getName());

    private final MetadataStore db;
    private final EventPublisher events;
    private final Supplier<GarbageCollector> gc;

    /** @param gc the current collector, or {@code null} while there is none */
    public LocalImages(MetadataStore db, EventPublisher events, Supplier<GarbageCollector> gc) {
        this.db = db;
        this.events = events;
        this.gc = gc;
    }

    @Override
    public Image get(String namespace, String name) {
        return db.view(tx -> tx.images().get(namespace, name));
    }

    @Override
    public List<Image> list(String namespace, List<String> filters) {
        Filter filter = Filters.parseRequest(filters);
        return db.view(tx -> tx.images().list(namespace, filter));
    }

    @Override
    public Image create(String namespace, Image image) {
        Image created = db.update(tx -> tx.images().create(namespace, image));
        publish(namespace, "/images/create", ImageCreate.newBuilder()
                .setName(created.name()).putAllLabels(created.labels()).build());
        return created;
    }

    @Override
    public Image update(String namespace, Image image, List<String> fieldPaths) {
        Image updated = db.update(tx -> tx.images().update(namespace, image, fieldPaths));
        publish(namespace, "/images/update", ImageUpdate.newBuilder()
                .setName(updated.name()).putAllLabels(updated.labels()).build());
        return updated;
    }

    @Override
    public void delete(String namespace, String name, boolean sync) {
        db.update(tx -> {
            tx.images().delete(namespace, name);
            return null;
        });
        publish(namespace, "/images/delete", ImageDelete.newBuilder().setName(name).build());
        if (sync) {
            GarbageCollector collector = gc.get();
            if (collector != null) {
                collector.collect();
            } else {
                LOG.log(System.Logger.Level.DEBUG, "no garbage collector: synchronous delete of {0} collects nothing", name);
            }
        }
    }

    private void publish(String namespace, String topic, Message event) {
        events.publish(namespace, topic, new TypedValue(event.getDescriptorForType().getFullName(), event.toByteArray()));
    }
}
