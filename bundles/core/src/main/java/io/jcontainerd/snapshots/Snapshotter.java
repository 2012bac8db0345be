package io.jcontainerd.snapshots;

import io.jcontainerd.mount.Mount;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A snapshotter plugin over its own, un-namespaced keys (containerd's {@code snapshots.Snapshotter}).
 * Registered as an OSGi service with {@code plugin.type=io.containerd.snapshotter.v1} and
 * {@code plugin.id=<name>}. Errors: NotFound, AlreadyExists, FailedPrecondition, InvalidArgument as
 * containerd's snapshotters.
 */
public interface Snapshotter {
    SnapshotInfo stat(String key);

    /** Updates labels ({@code labels}, {@code labels.<key>}; none = all). */
    SnapshotInfo update(SnapshotInfo info, List<String> fieldPaths);

    Usage usage(String key);

    List<Mount> mounts(String key);

    List<Mount> prepare(String key, String parent, Map<String, String> labels);

    List<Mount> view(String key, String parent, Map<String, String> labels);

    void commit(String name, String key, Map<String, String> labels);

    /** @throws io.jcontainerd.errdefs.ContainerdException FailedPrecondition while it has children */
    void remove(String key);

    /** Calls {@code visitor} for every snapshot. */
    void walk(Consumer<SnapshotInfo> visitor);

    /** Frees what removed snapshots left behind (containerd's {@code Cleaner}). */
    default void cleanup() {
    }

    /**
     * This snapshotter for calls made on behalf of a request in {@code namespace}. Local snapshotters
     * ignore it (the keys they get are already the metadata plugin's); a proxy to another process
     * passes it on, as containerd's proxies send the request's namespace header.
     */
    default Snapshotter namespaced(String namespace) {
        return this;
    }
}
