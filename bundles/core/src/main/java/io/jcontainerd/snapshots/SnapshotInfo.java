package io.jcontainerd.snapshots;

import java.time.Instant;
import java.util.Map;

/**
 * A snapshot (containerd's {@code snapshots.Info}).
 *
 * @param name      its key (active, view) or name (committed)
 * @param parent    the committed parent's name, or empty
 * @param kind      view, active or committed
 * @param labels    labels; never {@code null}
 * @param createdAt creation
 * @param updatedAt last change
 */
public record SnapshotInfo(String name, String parent, Kind kind, Map<String, String> labels, Instant createdAt,
        Instant updatedAt) {
    public SnapshotInfo {
        parent = parent == null ? "" : parent;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
