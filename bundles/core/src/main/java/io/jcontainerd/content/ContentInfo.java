package io.jcontainerd.content;

import io.jcontainerd.digest.Digest;
import java.time.Instant;
import java.util.Map;

/**
 * A committed blob as one namespace sees it (containerd's {@code content.Info}).
 *
 * @param digest    the blob's digest
 * @param size      its size in bytes
 * @param createdAt when the namespace first committed it
 * @param updatedAt last change of the record (labels)
 * @param labels    labels, including {@code containerd.io/gc.ref.*}; never {@code null}
 */
public record ContentInfo(Digest digest, long size, Instant createdAt, Instant updatedAt, Map<String, String> labels) {
    public ContentInfo {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
