package io.jcontainerd.metadata;

import io.jcontainerd.containers.ContainerStore;
import io.jcontainerd.leases.LeaseStore;
import io.jcontainerd.namespaces.NamespaceStore;

/** A metadata transaction: typed stores over one consistent view of the data. */
public interface Transaction {
    /** False for {@link MetadataStore#view} transactions, whose stores refuse to write. */
    boolean writable();

    /** Namespaces and their labels. */
    NamespaceStore namespaces();

    /** Containers, per namespace. */
    ContainerStore containers();

    /** Leases and the resources they hold, per namespace. */
    LeaseStore leases();

    /** Images, per namespace. */
    io.jcontainerd.images.ImageStore images();

    /** Blob and ingest records, per namespace. */
    io.jcontainerd.content.ContentIndex content();

    /** Snapshot records, per namespace and snapshotter. */
    io.jcontainerd.snapshots.SnapshotIndex snapshots();
}
