package io.jcontainerd.content;

import io.jcontainerd.digest.Digest;
import java.time.Instant;

/**
 * An ingest in progress (containerd's {@code content.Status}).
 *
 * @param ref       the client's reference for the write
 * @param offset    bytes written so far
 * @param total     the expected size, or 0 when unknown
 * @param expected  the expected digest, or {@code null}
 * @param startedAt when the ingest began
 * @param updatedAt last write
 */
public record IngestStatus(String ref, long offset, long total, Digest expected, Instant startedAt, Instant updatedAt) {
}
