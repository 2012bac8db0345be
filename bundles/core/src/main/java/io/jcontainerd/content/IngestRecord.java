package io.jcontainerd.content;

import io.jcontainerd.digest.Digest;
import java.time.Instant;

/**
 * A namespace's record of an open ingest (containerd's {@code v1/<ns>/content/ingests/<ref>} bucket).
 *
 * @param backendRef the ref of the ingest in the {@link BlobStore}, unique across namespaces
 * @param expected   set when the write is satisfied by a blob the backend already holds (shared from
 *                   another namespace): that blob must then be kept for this ingest; otherwise {@code null}
 * @param expiresAt  when an ingest taken outside any lease may be cleaned up, or {@code null} under a lease
 */
public record IngestRecord(String backendRef, Digest expected, Instant expiresAt) {
}
