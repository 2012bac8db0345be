package io.jcontainerd.metadata.bolt;

import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.metadata.Transaction;
import io.jcontainerd.plugin.DaemonPaths;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import java.io.IOException;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/** The {@code io.containerd.metadata.v1.bolt} plugin: opens the store under the plugin's root. */
@Component(name = "io.containerd.metadata.v1.bolt", enabled = false, immediate = true, service = MetadataStore.class)
@Plugin(type = PluginType.METADATA, id = "bolt")
public class BoltPlugin implements MetadataStore {
    private final BoltMetadataStore store;

    @Activate
    public BoltPlugin(BundleContext ctx) throws IOException {
        DaemonPaths paths = DaemonPaths.from(ctx::getProperty);
        store = BoltMetadataStore.open(paths.rootOf(PluginType.METADATA, "bolt"));
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
