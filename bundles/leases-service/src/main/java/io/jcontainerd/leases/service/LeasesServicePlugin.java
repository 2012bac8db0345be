package io.jcontainerd.leases.service;

import io.jcontainerd.gc.GarbageCollector;
import io.jcontainerd.leases.Lease;
import io.jcontainerd.leases.LeaseService;
import io.jcontainerd.leases.Resource;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The {@code io.containerd.service.v1.leases-service} plugin. */
@Component(name = "io.containerd.service.v1.leases-service", enabled = false, immediate = true,
        service = LeaseService.class)
@Plugin(type = PluginType.SERVICE, id = "leases-service")
public class LeasesServicePlugin implements LeaseService {
    @Reference(name = "gc", target = "(plugin.type=" + PluginType.GC + ")",
            cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile GarbageCollector gc;

    private final LocalLeases local;

    @Activate
    public LeasesServicePlugin(
            @Reference(name = "metadata", target = "(plugin.type=" + PluginType.METADATA + ")") MetadataStore db) {
        this.local = new LocalLeases(db, () -> gc);
    }

    @Override
    public Lease create(String namespace, String id, Map<String, String> labels) {
        return local.create(namespace, id, labels);
    }

    @Override
    public void delete(String namespace, String id, boolean sync) {
        local.delete(namespace, id, sync);
    }

    @Override
    public List<Lease> list(String namespace, List<String> filters) {
        return local.list(namespace, filters);
    }

    @Override
    public void addResource(String namespace, String id, Resource resource) {
        local.addResource(namespace, id, resource);
    }

    @Override
    public void deleteResource(String namespace, String id, Resource resource) {
        local.deleteResource(namespace, id, resource);
    }

    @Override
    public List<Resource> listResources(String namespace, String id) {
        return local.listResources(namespace, id);
    }
}
