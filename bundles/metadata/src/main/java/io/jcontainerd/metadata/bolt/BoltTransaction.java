package io.jcontainerd.metadata.bolt;

import io.jcontainerd.containers.ContainerStore;
import io.jcontainerd.leases.LeaseStore;
import io.jcontainerd.metadata.Transaction;
import io.jcontainerd.namespaces.NamespaceStore;

/** The typed stores of one key-space transaction. */
final class BoltTransaction implements Transaction {
    private final KvTx kv;
    private NamespaceStore namespaces;
    private ContainerStore containers;
    private LeaseStore leases;
    private io.jcontainerd.snapshots.SnapshotIndex snapshots;

    BoltTransaction(KvTx kv) {
        this.kv = kv;
    }

    @Override
    public boolean writable() {
        return kv.writable();
    }

    /** The raw key space, for tests of the layout. */
    KvTx kvForTests() {
        return kv;
    }

    @Override
    public NamespaceStore namespaces() {
        if (namespaces == null) {
            namespaces = new NamespaceStoreImpl(kv);
        }
        return namespaces;
    }

    @Override
    public ContainerStore containers() {
        if (containers == null) {
            containers = new ContainerStoreImpl(kv);
        }
        return containers;
    }

    @Override
    public LeaseStore leases() {
        if (leases == null) {
            leases = new LeaseStoreImpl(kv);
        }
        return leases;
    }

    @Override
    public io.jcontainerd.images.ImageStore images() {
        return new ImageStoreImpl(kv);
    }

    @Override
    public io.jcontainerd.content.ContentIndex content() {
        return new ContentIndexImpl(kv); // stateless over the transaction's key space
    }

    @Override
    public io.jcontainerd.snapshots.SnapshotIndex snapshots() {
        if (snapshots == null) {
            snapshots = new SnapshotIndexImpl(kv);
        }
        return snapshots;
    }
}
