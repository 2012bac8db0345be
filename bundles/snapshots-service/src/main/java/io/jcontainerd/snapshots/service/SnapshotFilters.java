package io.jcontainerd.snapshots.service;

import io.jcontainerd.filters.Adaptor;
import io.jcontainerd.snapshots.SnapshotInfo;

/** The fields snapshot filters see, as containerd's {@code metadata/adaptors.go}. */
final class SnapshotFilters {
    private SnapshotFilters() {
    }

    /** {@code kind} (active, view, committed), {@code name}, {@code parent} (present even if empty), {@code labels.*}. */
    static Adaptor adaptor(SnapshotInfo info) {
        return path -> {
            if (path.isEmpty()) {
                return null;
            }
            return switch (path.get(0)) {
                case "kind" -> switch (info.kind()) {
                    case ACTIVE -> "active";
                    case VIEW -> "view";
                    case COMMITTED -> "committed";
                    default -> null;
                };
                case "name" -> info.name();
                case "parent" -> info.parent();
                case "labels" -> info.labels().isEmpty() ? null
                        : info.labels().get(String.join(".", path.subList(1, path.size())));
                default -> null;
            };
        };
    }
}
