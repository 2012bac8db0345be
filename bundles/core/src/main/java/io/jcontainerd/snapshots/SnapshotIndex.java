package io.jcontainerd.snapshots;

import java.util.List;

/**
 * The snapshot records of the metadata store inside one transaction: per namespace and snapshotter,
 * each snapshot's info and the backend key it maps to (containerd's {@code metadata/snapshot.go}
 * buckets). Used by {@link Snapshots} and by garbage collection.
 */
public interface SnapshotIndex {
    /** A namespaced snapshot record. @param backendKey the key in the snapshotter plugin */
    record Entry(SnapshotInfo info, String backendKey) {
    }

    /** The record of {@code key}, or {@code null}. */
    Entry get(String namespace, String snapshotter, String key);

    /** All records of the namespace in that snapshotter, in key order. */
    List<Entry> list(String namespace, String snapshotter);

    /** The snapshotters the namespace has records in. */
    List<String> snapshotters(String namespace);

    /** Removes a record and its link from its parent; false if there was none. */
    boolean delete(String namespace, String snapshotter, String key);

    /**
     * The next value of the namespace's per-snapshotter sequence (bolt's {@code NextSequence} on the
     * snapshotter bucket), from which backend keys {@code <ns>/<n>/<key>} are made unique.
     */
    long nextSequence(String namespace, String snapshotter);

    /**
     * Adds a record and links it as a child of its parent.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException AlreadyExists if {@code key} has a record, NotFound
     *         if the parent has none
     */
    void create(String namespace, String snapshotter, Entry entry);

    /** Replaces an existing record's labels and times (name, parent and backend key stay). */
    void update(String namespace, String snapshotter, Entry entry);

    /** The keys of the records whose parent is {@code key}. */
    List<String> children(String namespace, String snapshotter, String key);
}
