package io.jcontainerd.content.local;

import io.jcontainerd.content.BlobStore;
import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.ContentWriter;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.plugin.DaemonPaths;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import java.nio.file.Path;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** The {@code io.containerd.content.v1.content} plugin: the local store under the plugin's root. */
@Component(name = "io.containerd.content.v1.content", enabled = false, immediate = true, service = BlobStore.class)
@Plugin(type = PluginType.CONTENT, id = "content")
public class ContentPlugin implements BlobStore {
    private final LocalBlobStore store;

    @Activate
    public ContentPlugin(BundleContext ctx) {
        store = new LocalBlobStore(DaemonPaths.from(ctx::getProperty).rootOf(PluginType.CONTENT, "content"));
    }

    @Override
    public Path path(Digest digest) {
        return store.path(digest);
    }

    @Override
    public ContentInfo info(Digest digest) {
        return store.info(digest);
    }

    @Override
    public List<Digest> list() {
        return store.list();
    }

    @Override
    public boolean delete(Digest digest) {
        return store.delete(digest);
    }

    @Override
    public List<String> ingests() {
        return store.ingests();
    }

    @Override
    public IngestStatus status(String ref) {
        return store.status(ref);
    }

    @Override
    public ContentWriter writer(String ref, long total) {
        return store.writer(ref, total);
    }

    @Override
    public boolean abort(String ref) {
        return store.abort(ref);
    }
}
