package io.jcontainerd.containers;

import io.jcontainerd.types.TypedValue;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A container record (containerd's {@code containers.Container}): metadata only, no process.
 *
 * @param id          the container id, a valid identifier
 * @param labels      labels; never {@code null}
 * @param image       the image reference it was created from, or empty
 * @param runtime     the runtime that runs its tasks
 * @param spec        the OCI runtime spec as the client encoded it; required
 * @param snapshotter the snapshotter holding its root file system, or empty
 * @param snapshotKey the key of its root file system snapshot, or empty
 * @param createdAt   set by the store on create
 * @param updatedAt   set by the store on every write
 * @param extensions  client data by name; never {@code null}
 */
public record Container(String id, Map<String, String> labels, String image, Runtime runtime, TypedValue spec,
        String snapshotter, String snapshotKey, Instant createdAt, Instant updatedAt,
        Map<String, TypedValue> extensions) {

    public Container {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        image = image == null ? "" : image;
        runtime = runtime == null ? new Runtime("", null) : runtime;
        snapshotter = snapshotter == null ? "" : snapshotter;
        snapshotKey = snapshotKey == null ? "" : snapshotKey;
        extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
    }

    /**
     * The runtime of a container's tasks.
     *
     * @param name    e.g. {@code io.containerd.runc.v2}
     * @param options runtime-specific options, or {@code null}
     */
    public record Runtime(String name, TypedValue options) {
        public Runtime {
            name = name == null ? "" : name;
        }
    }

    /** A copy with other timestamps. */
    public Container withTimes(Instant created, Instant updated) {
        return new Container(id, labels, image, runtime, spec, snapshotter, snapshotKey, created, updated, extensions);
    }

    /** A copy with other labels. */
    public Container withLabels(Map<String, String> newLabels) {
        return new Container(id, newLabels, image, runtime, spec, snapshotter, snapshotKey, createdAt, updatedAt,
                extensions);
    }

    /** Labels without those whose value is empty (which containerd does not keep). */
    public static Map<String, String> kept(Map<String, String> labels) {
        Map<String, String> out = new LinkedHashMap<>();
        labels.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                out.put(k, v);
            }
        });
        return out;
    }
}
