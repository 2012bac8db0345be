package io.jcontainerd.metadata.bolt;

import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.metadata.MutationListener;
import io.jcontainerd.metadata.Transaction;
import io.jcontainerd.plugin.DaemonPaths;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@code io.containerd.metadata.v1.bolt} plugin: opens the store under the plugin's root and tells
 * {@link MutationListener}s (the garbage collector) when a write removed records.
 */
@Component(name = "io.containerd.metadata.v1.bolt", enabled = false, immediate = true, service = MetadataStore.class)
@Plugin(type = PluginType.METADATA, id = "bolt")
public class BoltPlugin implements MetadataStore {
    private final BoltMetadataStore store;
    private final List<MutationListener> listeners = new CopyOnWriteArrayList<>();

    @Activate
    public BoltPlugin(BundleContext ctx) throws IOException {
        DaemonPaths paths = DaemonPaths.from(ctx::getProperty);
        store = BoltMetadataStore.open(paths.rootOf(PluginType.METADATA, "bolt"));
        store.onDeleted(() -> listeners.forEach(MutationListener::deleted));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(MutationListener listener) {
        listeners.add(listener);
    }

    void removeListener(MutationListener listener) {
        listeners.remove(listener);
    }

    @Deactivate
    void close() {
        store.close();
    }

    @Override
    public <T> T view(Function<Transaction, T> work) {
        return store.view(work);
    }

    @Override
    public <T> T update(Function<Transaction, T> work) {
        return store.update(work);
    }
}
