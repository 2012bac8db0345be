package io.jcontainerd.leases;

import java.util.List;
import java.util.Map;

/** The leases service ({@code io.containerd.service.v1 leases-service}); each call one transaction. */
public interface LeaseService {
    /** Creates a lease; an empty id gets a random one, as containerd's {@code WithRandomID}. */
    Lease create(String namespace, String id, Map<String, String> labels);

    /** Deletes a lease; {@code sync} asks for garbage collection before returning. */
    void delete(String namespace, String id, boolean sync);

    /** The leases matching any of {@code filters} ({@code id}, {@code labels.<key>}). */
    List<Lease> list(String namespace, List<String> filters);

    void addResource(String namespace, String id, Resource resource);

    void deleteResource(String namespace, String id, Resource resource);

    List<Resource> listResources(String namespace, String id);
}
