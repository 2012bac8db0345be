package io.jcontainerd.content.service;

import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.filters.Adaptor;
import java.util.Map;

/** The fields filters see (containerd's {@code content.AdaptInfo} and {@code adaptContentStatus}). */
final class ContentAdaptors {
    private ContentAdaptors() {
    }

    /** {@code digest}, {@code labels.<key>}; {@code size} is never present, as containerd leaves it unimplemented. */
    static Adaptor info(ContentInfo info) {
        return path -> {
            if (path.isEmpty()) {
                return null;
            }
            return switch (path.get(0)) {
                case "digest" -> info.digest().toString();
                case "labels" -> label(info.labels(), String.join(".", path.subList(1, path.size())));
                default -> null;
            };
        };
    }

    /** {@code ref} only. */
    static Adaptor status(IngestStatus status) {
        return path -> !path.isEmpty() && path.get(0).equals("ref") ? status.ref() : null;
    }

    private static String label(Map<String, String> labels, String key) {
        return labels.isEmpty() ? null : labels.get(key);
    }
}
