package io.jcontainerd.snapshots;

import java.util.List;

/**
 * The snapshot records of the metadata store inside one transaction: per namespace and snapshotter,
 * each snapshot's info and the backend key it maps to. Used by {@link Snapshots} and by garbage
 * collection.
 */
public interface SnapshotIndex {
    /** A namespaced snapshot record. @param backendKey the key in the snapshotter plugin */
    record Entry(SnapshotInfo info, String backendKey) {
    }

    /** The record of {@code key}, or {@code null}. */
    Entry get(String namespace, String snapshotter, String key);

    /** All records of the namespace in that snapshotter. */
    List<Entry> list(String namespace, String snapshotter);

    /** The snapshotters the namespace has records in. */
    List<String> snapshotters(String namespace);

    /** Removes a record; false if there was none. */
    boolean delete(String namespace, String snapshotter, String key);
}
