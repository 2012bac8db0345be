package io.jcontainerd.namespaces;

import java.util.List;

/**
 * The namespaces service ({@code io.containerd.service.v1 namespaces-service}) as the gRPC adapter
 * and other plugins use it; each call is one metadata transaction. Changes are published as
 * {@code /namespaces/create|update} events in the caller's namespace ({@code requestNamespace}, the
 * request's header, as containerd does) and {@code /namespaces/delete} in the deleted one.
 */
public interface NamespaceService {
    /** The namespace's labels; any name answers, unknown ones with no labels (dockerd relies on it). */
    Namespace get(String name);

    /** All namespaces with their labels. */
    List<Namespace> list();

    /** Creates a namespace; labels with empty values are not kept. */
    Namespace create(String requestNamespace, Namespace namespace);

    /**
     * Updates labels. With field paths, only {@code labels.<key>} paths are allowed and each sets or
     * (empty value) removes one label; without, the labels are replaced as a whole.
     */
    void update(String requestNamespace, Namespace namespace, List<String> fieldPaths);

    /** Deletes an empty namespace. */
    void delete(String name);
}
