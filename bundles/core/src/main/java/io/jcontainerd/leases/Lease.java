package io.jcontainerd.leases;

import java.time.Instant;
import java.util.Map;

/**
 * A lease: a reference that keeps the resources attached to it from garbage collection.
 *
 * @param id        any string (containerd does not restrict lease ids)
 * @param createdAt set by the store
 * @param labels    labels, e.g. {@code containerd.io/gc.expire}
 */
public record Lease(String id, Instant createdAt, Map<String, String> labels) {
    public Lease {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
