package io.jcontainerd.containers;

import io.jcontainerd.filters.Filter;
import java.util.List;

/**
 * Containers as the metadata store keeps them, within one metadata transaction (containerd's
 * {@code containers.Store}). The namespace is checked by the caller.
 */
public interface ContainerStore {
    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    Container get(String namespace, String id);

    /** The containers of the namespace that match {@code filter}, by id. */
    List<Container> list(String namespace, Filter filter);

    /**
     * Stores a new container, setting both timestamps to now.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException InvalidArgument when it fails validation,
     *         AlreadyExists
     */
    Container create(String namespace, Container container);

    /**
     * Updates the fields named by {@code fieldPaths} ({@code labels}, {@code labels.<key>}, {@code spec},
     * {@code extensions}, {@code extensions.<key>}, {@code image}, {@code snapshotkey}); with none, all
     * of those, and then the snapshotter and runtime must not change.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException NotFound, InvalidArgument
     */
    Container update(String namespace, Container container, List<String> fieldPaths);

    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    void delete(String namespace, String id);
}
