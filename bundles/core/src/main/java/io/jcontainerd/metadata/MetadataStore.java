package io.jcontainerd.metadata;

import java.util.function.Function;

/**
 * The metadata plugin ({@code io.containerd.metadata.v1.bolt}): one transactional, durable store for
 * every namespaced object, laid out per namespace like containerd's bolt schema.
 *
 * <p>Transactions are serialised like bolt's: any number of readers, one writer at a time. A reader
 * sees only whole write transactions. {@link #update} returns only once its changes are on disk
 * (fsync); writers that finish together share one sync.
 */
public interface MetadataStore {
    /** Runs {@code work} in a read-only transaction and returns its result. */
    <T> T view(Function<Transaction, T> work);

    /**
     * Runs {@code work} in a read-write transaction. If it throws, nothing it wrote is kept and the
     * exception propagates; otherwise its writes are durable when this method returns.
     */
    <T> T update(Function<Transaction, T> work);
}
