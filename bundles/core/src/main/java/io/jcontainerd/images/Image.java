package io.jcontainerd.images;

import java.time.Instant;
import java.util.Map;

/**
 * An image record (containerd's {@code images.Image}).
 *
 * @param name      the reference, e.g. {@code docker.io/library/busybox:latest}
 * @param labels    labels; never {@code null}
 * @param target    the root descriptor (index or manifest)
 * @param createdAt set by the store
 * @param updatedAt set by the store on every write
 */
public record Image(String name, Map<String, String> labels, Descriptor target, Instant createdAt, Instant updatedAt) {
    public Image {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
