package io.jcontainerd.content;

import io.jcontainerd.digest.Digest;
import io.jcontainerd.filters.Filter;
import java.nio.channels.SeekableByteChannel;
import java.util.List;

/**
 * The namespaced content store (containerd's {@code metadata.contentStore}): what a namespace may see
 * and write. Provided as an OSGi service by the {@code io.containerd.service.v1.content-service} plugin
 * (over the metadata store and the {@link BlobStore}); the content gRPC service, the differ and image
 * handling use it.
 *
 * <p>{@code lease} is the {@code containerd-lease} of the call, or {@code null}: ingests and blobs
 * written under a lease are added to it as resources.
 */
public interface ContentStore {
    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    ContentInfo info(String namespace, Digest digest);

    /**
     * Updates the labels ({@code labels}, {@code labels.<key>}; none = all labels).
     *
     * @throws io.jcontainerd.errdefs.ContainerdException NotFound, InvalidArgument
     */
    ContentInfo update(String namespace, ContentInfo info, List<String> fieldPaths);

    /** The blobs of the namespace that match {@code filter}. */
    List<ContentInfo> list(String namespace, Filter filter);

    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    void delete(String namespace, Digest digest);

    /** Opens a committed blob for positioned reads. @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    SeekableByteChannel open(String namespace, Digest digest);

    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    IngestStatus status(String namespace, String ref);

    List<IngestStatus> listStatuses(String namespace, Filter filter);

    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    void abort(String namespace, String ref);

    /**
     * Opens (or resumes) the ingest {@code ref}.
     *
     * @param total    expected size, 0 if unknown
     * @param expected expected digest, or {@code null}
     * @throws io.jcontainerd.errdefs.ContainerdException AlreadyExists when {@code expected} is already
     *         committed in the namespace; Unavailable when another writer holds {@code ref}
     */
    ContentWriter writer(String namespace, String lease, String ref, long total, Digest expected);
}
