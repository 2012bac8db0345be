package io.jcontainerd.namespaces;

import java.util.Map;

/**
 * A namespace and its labels.
 *
 * @param name   the namespace name, a valid identifier
 * @param labels its labels, never {@code null}
 */
public record Namespace(String name, Map<String, String> labels) {
    public Namespace {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
