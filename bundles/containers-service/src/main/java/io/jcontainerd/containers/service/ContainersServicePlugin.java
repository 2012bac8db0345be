package io.jcontainerd.containers.service;

import io.jcontainerd.containers.Container;
import io.jcontainerd.containers.ContainerService;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code io.containerd.service.v1.containers-service} plugin. */
@Component(name = "io.containerd.service.v1.containers-service", enabled = false, immediate = true,
        service = ContainerService.class)
@Plugin(type = PluginType.SERVICE, id = "containers-service")
public class ContainersServicePlugin implements ContainerService {
    private final LocalContainers local;

    @Activate
    public ContainersServicePlugin(
            @Reference(name = "events", target = "(plugin.type=" + PluginType.EVENT + ")") EventPublisher events,
            @Reference(name = "metadata", target = "(plugin.type=" + PluginType.METADATA + ")") MetadataStore db) {
        this.local = new LocalContainers(db, events);
    }

    @Override
    public Container get(String namespace, String id) {
        return local.get(namespace, id);
    }

    @Override
    public List<Container> list(String namespace, List<String> filters) {
        return local.list(namespace, filters);
    }

    @Override
    public Container create(String namespace, Container container) {
        return local.create(namespace, container);
    }

    @Override
    public Container update(String namespace, Container container, List<String> fieldPaths) {
        return local.update(namespace, container, fieldPaths);
    }

    @Override
    public void delete(String namespace, String id) {
        local.delete(namespace, id);
    }
}
