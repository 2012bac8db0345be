package io.jcontainerd.metadata;

/**
 * Told by the metadata plugin, after a write transaction is durable, that it removed records, so that
 * what they referenced may have become garbage. Register as an OSGi service (whiteboard). Called on
 * the writer's thread: return at once.
 */
public interface MutationListener {
    void deleted();
}
