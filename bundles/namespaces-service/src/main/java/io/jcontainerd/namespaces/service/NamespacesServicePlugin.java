package io.jcontainerd.namespaces.service;

import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.namespaces.Namespace;
import io.jcontainerd.namespaces.NamespaceService;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code io.containerd.service.v1.namespaces-service} plugin. */
@Component(name = "io.containerd.service.v1.namespaces-service", enabled = false, immediate = true,
        service = NamespaceService.class)
@Plugin(type = PluginType.SERVICE, id = "namespaces-service")
public class NamespacesServicePlugin implements NamespaceService {
    private final LocalNamespaces local;

    @Activate
    public NamespacesServicePlugin(
            @Reference(name = "events", target = "(plugin.type=" + PluginType.EVENT + ")") EventPublisher events,
            @Reference(name = "metadata", target = "(plugin.type=" + PluginType.METADATA + ")") MetadataStore db) {
        this.local = new LocalNamespaces(db, events);
    }

    @Override
    public Namespace get(String name) {
        return local.get(name);
    }

    @Override
    public List<Namespace> list() {
        return local.list();
    }

    @Override
    public Namespace create(String requestNamespace, Namespace namespace) {
        return local.create(requestNamespace, namespace);
    }

    @Override
    public void update(String requestNamespace, Namespace namespace, List<String> fieldPaths) {
        local.update(requestNamespace, namespace, fieldPaths);
    }

    @Override
    public void delete(String name) {
        local.delete(name);
    }
}
