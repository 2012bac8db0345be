package io.jcontainerd.containers;

import java.util.List;

/**
 * The containers service ({@code io.containerd.service.v1 containers-service}): the store's operations,
 * each one transaction, publishing {@code /containers/create|update|delete} after each change.
 */
public interface ContainerService {
    Container get(String namespace, String id);

    /** The containers matching any of {@code filters} (all with none). */
    List<Container> list(String namespace, List<String> filters);

    Container create(String namespace, Container container);

    Container update(String namespace, Container container, List<String> fieldPaths);

    void delete(String namespace, String id);
}
