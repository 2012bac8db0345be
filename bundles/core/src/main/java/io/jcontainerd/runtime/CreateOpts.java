package io.jcontainerd.runtime;

import io.jcontainerd.mount.Mount;
import io.jcontainerd.types.TypedValue;
import java.util.List;

/**
 * What a runtime needs to create a task.
 *
 * @param spec           the container's OCI spec as stored (written to the bundle's config.json)
 * @param rootfs         mounts making up the root file system, mounted by the shim on the bundle's
 *                       {@code rootfs}; empty when the spec names its own root
 * @param io             the init process's stdio
 * @param checkpoint     a checkpoint directory to restore from, or empty
 * @param runtime        the runtime name ({@code io.containerd.runc.v2}) or an absolute shim path
 * @param runtimeOptions the container's runtime options, or {@code null}
 * @param taskOptions    the create request's options (preferred over the runtime options), or {@code null}
 */
public record CreateOpts(TypedValue spec, List<Mount> rootfs, TaskIO io, String checkpoint, String runtime,
        TypedValue runtimeOptions, TypedValue taskOptions) {
    public CreateOpts {
        rootfs = rootfs == null ? List.of() : List.copyOf(rootfs);
        io = io == null ? new TaskIO("", "", "", false) : io;
        checkpoint = checkpoint == null ? "" : checkpoint;
        runtime = runtime == null ? "" : runtime;
    }
}
