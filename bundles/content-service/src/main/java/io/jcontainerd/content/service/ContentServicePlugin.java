package io.jcontainerd.content.service;

import io.jcontainerd.content.BlobStore;
import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.ContentStore;
import io.jcontainerd.content.ContentWriter;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code io.containerd.service.v1.content-service} plugin: the namespaced content store over the
 * metadata store and the local content store, published as the {@link ContentStore} service.
 */
@Component(name = "io.containerd.service.v1.content-service", enabled = false, immediate = true,
        service = ContentStore.class)
@Plugin(type = PluginType.SERVICE, id = "content-service")
public class ContentServicePlugin implements ContentStore {
    private final NamespacedContentStore store;

    @Activate
    public ContentServicePlugin(
            @Reference(name = "events", target = "(plugin.type=" + PluginType.EVENT + ")") EventPublisher events,
            @Reference(name = "metadata", target = "(plugin.type=" + PluginType.METADATA + ")") MetadataStore db,
            @Reference(name = "content", target = "(plugin.type=" + PluginType.CONTENT + ")") BlobStore blobs) {
        this.store = new NamespacedContentStore(db, blobs, events);
    }

    @Override
    public ContentInfo info(String namespace, Digest digest) {
        return store.info(namespace, digest);
    }

    @Override
    public ContentInfo update(String namespace, ContentInfo info, List<String> fieldPaths) {
        return store.update(namespace, info, fieldPaths);
    }

    @Override
    public List<ContentInfo> list(String namespace, Filter filter) {
        return store.list(namespace, filter);
    }

    @Override
    public void delete(String namespace, Digest digest) {
        store.delete(namespace, digest);
    }

    @Override
    public SeekableByteChannel open(String namespace, Digest digest) {
        return store.open(namespace, digest);
    }

    @Override
    public IngestStatus status(String namespace, String ref) {
        return store.status(namespace, ref);
    }

    @Override
    public List<IngestStatus> listStatuses(String namespace, Filter filter) {
        return store.listStatuses(namespace, filter);
    }

    @Override
    public void abort(String namespace, String ref) {
        store.abort(namespace, ref);
    }

    @Override
    public ContentWriter writer(String namespace, String lease, String ref, long total, Digest expected) {
        return store.writer(namespace, lease, ref, total, expected);
    }
}
