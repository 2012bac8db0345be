package io.jcontainerd.content;

import io.jcontainerd.digest.Digest;
import java.nio.file.Path;
import java.util.List;

/**
 * The local content store shared by all namespaces (plugin {@code io.containerd.content.v1.content}):
 * blobs at {@code <root>/blobs/<algorithm>/<hex>}, ingests under {@code <root>/ingest/}. It knows
 * nothing of namespaces; the metadata plugin decides who may see what and when a blob is garbage.
 */
public interface BlobStore {
    /** The blob's file, or {@code null} if it is not in the store. */
    Path path(Digest digest);

    /** Every blob in the store. */
    List<Digest> list();

    /** Removes a blob; false if it was not there. */
    boolean delete(Digest digest);

    /** The open ingests' refs. */
    List<String> ingests();

    /** Removes an ingest and its data; false if there was none. */
    boolean abort(String ref);
}
