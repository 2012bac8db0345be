package io.jcontainerd.images.service;

import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.gc.GarbageCollector;
import io.jcontainerd.images.Image;
import io.jcontainerd.images.ImageService;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@code io.containerd.service.v1.images-service} plugin. The garbage collector is optional and
 * dynamic: it may come and go without restarting the service; deletes with {@code sync} use it when
 * it is there.
 */
@Component(name = "io.containerd.service.v1.images-service", enabled = false, immediate = true,
        service = ImageService.class)
@Plugin(type = PluginType.SERVICE, id = "images-service")
public class ImagesServicePlugin implements ImageService {
    @Reference(name = "gc", target = "(plugin.type=" + PluginType.GC + ")",
            cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile GarbageCollector gc;

    private final LocalImages local;

    @Activate
    public ImagesServicePlugin(
            @Reference(name = "events", target = "(plugin.type=" + PluginType.EVENT + ")") EventPublisher events,
            @Reference(name = "metadata", target = "(plugin.type=" + PluginType.METADATA + ")") MetadataStore db) {
        this.local = new LocalImages(db, events, () -> gc);
    }

    @Override
    public Image get(String namespace, String name) {
        return local.get(namespace, name);
    }

    @Override
    public List<Image> list(String namespace, List<String> filters) {
        return local.list(namespace, filters);
    }

    @Override
    public Image create(String namespace, Image image) {
        return local.create(namespace, image);
    }

    @Override
    public Image update(String namespace, Image image, List<String> fieldPaths) {
        return local.update(namespace, image, fieldPaths);
    }

    @Override
    public void delete(String namespace, String name, boolean sync) {
        local.delete(namespace, name, sync);
    }
}
