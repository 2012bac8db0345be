package io.jcontainerd.leases;

import io.jcontainerd.filters.Filter;
import java.util.List;

/** Leases as the metadata store keeps them, within one metadata transaction (containerd's lease manager). */
public interface LeaseStore {
    /** @throws io.jcontainerd.errdefs.ContainerdException AlreadyExists */
    Lease create(String namespace, String id, java.util.Map<String, String> labels);

    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    void delete(String namespace, String id);

    List<Lease> list(String namespace, Filter filter);

    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound, InvalidArgument, NotImplemented (type) */
    void addResource(String namespace, String id, Resource resource);

    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound, InvalidArgument, NotImplemented (type) */
    void deleteResource(String namespace, String id, Resource resource);

    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    List<Resource> listResources(String namespace, String id);
}
