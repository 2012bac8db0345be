package io.jcontainerd.snapshots;

import io.jcontainerd.filters.Filter;
import io.jcontainerd.mount.Mount;
import java.util.List;
import java.util.Map;

/**
 * The namespaced snapshotters (containerd's {@code metadata.snapshotter}), provided by the metadata
 * plugin as one OSGi service. {@code snapshotter} names a snapshotter plugin; an unknown one is
 * InvalidArgument {@code snapshotter not loaded: <name>}. {@code lease} is the call's
 * {@code containerd-lease} or {@code null}: snapshots created under it are added to it.
 */
public interface Snapshots {
    SnapshotInfo stat(String namespace, String snapshotter, String key);

    SnapshotInfo update(String namespace, String snapshotter, SnapshotInfo info, List<String> fieldPaths);

    Usage usage(String namespace, String snapshotter, String key);

    List<Mount> mounts(String namespace, String snapshotter, String key);

    List<Mount> prepare(String namespace, String lease, String snapshotter, String key, String parent,
            Map<String, String> labels);

    List<Mount> view(String namespace, String lease, String snapshotter, String key, String parent,
            Map<String, String> labels);

    void commit(String namespace, String lease, String snapshotter, String name, String key,
            Map<String, String> labels);

    void remove(String namespace, String snapshotter, String key);

    List<SnapshotInfo> list(String namespace, String snapshotter, Filter filter);

    /** Names of the snapshotters loaded now. */
    List<String> snapshotters();

    void cleanup(String namespace, String snapshotter);

    /**
     * Removes the snapshotter's snapshots that no namespace's record refers to any more, children
     * first, then lets it clean up (containerd's per-snapshotter garbage collection). Runs by itself
     * after removals; garbage collection may call it too.
     */
    void garbageCollect(String snapshotter);
}
