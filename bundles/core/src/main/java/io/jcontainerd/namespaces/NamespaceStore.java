package io.jcontainerd.namespaces;

import java.util.List;
import java.util.Map;

/**
 * Namespaces as the metadata store keeps them, within one metadata transaction (containerd's
 * {@code namespaces.Store}). Methods that change data need a writable transaction.
 */
public interface NamespaceStore {
    /**
     * Creates a namespace with its labels.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException InvalidArgument for a bad name or label,
     *         AlreadyExists if the namespace exists
     */
    void create(String namespace, Map<String, String> labels);

    /** The namespace's labels; empty, never NotFound, for a namespace that does not exist. */
    Map<String, String> labels(String namespace);

    /**
     * Sets one label, creating the namespace if needed; an empty value removes the label.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException InvalidArgument for a bad name or label
     */
    void setLabel(String namespace, String key, String value);

    /** The names of all namespaces, in lexical order. */
    List<String> list();

    /**
     * Deletes an empty namespace.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException NotFound if it does not exist,
     *         FailedPrecondition if it still holds objects (the message lists which kinds)
     */
    void delete(String namespace);
}
