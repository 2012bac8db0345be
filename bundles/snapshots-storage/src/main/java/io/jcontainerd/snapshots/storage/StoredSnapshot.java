package io.jcontainerd.snapshots.storage;

import io.jcontainerd.snapshots.Kind;
import java.util.List;

/**
 * An active or view snapshot as a snapshotter needs it to build mounts (containerd's
 * {@code storage.Snapshot}).
 *
 * @param id        the snapshot's id, unique in the store and never reused: its directory name
 * @param kind      active or view
 * @param parentIds the ids of the parent chain, nearest first; empty without a parent
 */
public record StoredSnapshot(String id, Kind kind, List<String> parentIds) {
    public StoredSnapshot {
        parentIds = List.copyOf(parentIds);
    }
}
