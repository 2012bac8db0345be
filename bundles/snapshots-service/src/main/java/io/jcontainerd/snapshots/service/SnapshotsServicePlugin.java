package io.jcontainerd.snapshots.service;

import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.snapshots.SnapshotInfo;
import io.jcontainerd.snapshots.Snapshots;
import io.jcontainerd.snapshots.Snapshotter;
import io.jcontainerd.snapshots.Usage;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@code io.containerd.service.v1.snapshots-service} plugin: every loaded snapshotter plugin,
 * namespaced through the metadata store. Snapshotters come and go with their plugins.
 */
@Component(name = "io.containerd.service.v1.snapshots-service", enabled = false, immediate = true,
        service = Snapshots.class)
@Plugin(type = PluginType.SERVICE, id = "snapshots-service")
public class SnapshotsServicePlugin implements Snapshots {
    private final Backends backends = new Backends();
    private final LocalSnapshots local;

    @Activate
    public SnapshotsServicePlugin(
            @Reference(name = "events", target = "(plugin.type=" + PluginType.EVENT + ")") EventPublisher events,
            @Reference(name = "metadata", target = "(plugin.type=" + PluginType.METADATA + ")") MetadataStore db) {
        backends.store(db);
        this.local = new LocalSnapshots(db, events, backends);
    }

    @Reference(name = "snapshotters", service = Snapshotter.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = "(plugin.type=" + PluginType.SNAPSHOTTER + ")")
    void addSnapshotter(Snapshotter sn, Map<String, Object> properties) {
        backends.add(String.valueOf(properties.get(Plugin.ID)), sn);
    }

    void removeSnapshotter(Snapshotter sn, Map<String, Object> properties) {
        backends.remove(String.valueOf(properties.get(Plugin.ID)), sn);
    }

    @Deactivate
    void deactivate() {
        backends.close();
    }

    @Override
    public SnapshotInfo stat(String namespace, String snapshotter, String key) {
        return local.stat(namespace, snapshotter, key);
    }

    @Override
    public SnapshotInfo update(String namespace, String snapshotter, SnapshotInfo info, List<String> fieldPaths) {
        return local.update(namespace, snapshotter, info, fieldPaths);
    }

    @Override
    public Usage usage(String namespace, String snapshotter, String key) {
        return local.usage(namespace, snapshotter, key);
    }

    @Override
    public List<Mount> mounts(String namespace, String snapshotter, String key) {
        return local.mounts(namespace, snapshotter, key);
    }

    @Override
    public List<Mount> prepare(String namespace, String lease, String snapshotter, String key, String parent,
            Map<String, String> labels) {
        return local.prepare(namespace, lease, snapshotter, key, parent, labels);
    }

    @Override
    public List<Mount> view(String namespace, String lease, String snapshotter, String key, String parent,
            Map<String, String> labels) {
        return local.view(namespace, lease, snapshotter, key, parent, labels);
    }

    @Override
    public void commit(String namespace, String lease, String snapshotter, String name, String key,
            Map<String, String> labels) {
        local.commit(namespace, lease, snapshotter, name, key, labels);
    }

    @Override
    public void remove(String namespace, String snapshotter, String key) {
        local.remove(namespace, snapshotter, key);
    }

    @Override
    public List<SnapshotInfo> list(String namespace, String snapshotter, Filter filter) {
        return local.list(namespace, snapshotter, filter);
    }

    @Override
    public List<String> snapshotters() {
        return local.snapshotters();
    }

    @Override
    public void cleanup(String namespace, String snapshotter) {
        local.cleanup(namespace, snapshotter);
    }

    @Override
    public void garbageCollect(String snapshotter) {
        local.garbageCollect(snapshotter);
    }
}
