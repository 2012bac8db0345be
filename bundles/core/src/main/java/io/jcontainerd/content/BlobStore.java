package io.jcontainerd.content;

import io.jcontainerd.digest.Digest;
import java.nio.file.Path;
import java.util.List;

/**
 * The local content store shared by all namespaces (plugin {@code io.containerd.content.v1.content}):
 * blobs at {@code <root>/blobs/<algorithm>/<hex>}, ingests under {@code <root>/ingest/}. It knows
 * nothing of namespaces; the metadata plugin decides who may see what and when a blob is garbage.
 *
 * <p>Refs given to this store are backend refs: the namespaced store makes them unique per namespace.
 */
public interface BlobStore {
    /** The blob's file, or {@code null} if it is not in the store. */
    Path path(Digest digest);

    /**
     * The blob's size and times (no labels: the backend keeps none).
     *
     * @throws io.jcontainerd.errdefs.ContainerdException NotFound ({@code content <digest>: not found})
     */
    ContentInfo info(Digest digest);

    /** Every blob in the store. */
    List<Digest> list();

    /** Removes a blob; false if it was not there. */
    boolean delete(Digest digest);

    /** The open ingests' refs. */
    List<String> ingests();

    /**
     * The status of an ingest on disk (its offset is the size of its data).
     *
     * @throws io.jcontainerd.errdefs.ContainerdException NotFound when there is no such ingest
     */
    IngestStatus status(String ref);

    /**
     * Opens the ingest {@code ref}, resuming it when its data is on disk (the writer's offset is then
     * the bytes already there and its digest covers them). Only one writer per ref may be open.
     *
     * @param total the expected size, 0 if unknown; an ingest on disk with another total is restarted
     * @throws io.jcontainerd.errdefs.ContainerdException Unavailable when another writer holds
     *         {@code ref}, InvalidArgument for an empty ref
     */
    ContentWriter writer(String ref, long total);

    /** Removes an ingest and its data; false if there was none. */
    boolean abort(String ref);
}
