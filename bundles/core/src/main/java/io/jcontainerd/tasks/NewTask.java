package io.jcontainerd.tasks;

import io.jcontainerd.mount.Mount;
import io.jcontainerd.runtime.TaskIO;
import io.jcontainerd.types.TypedValue;
import java.util.List;

/**
 * A create request.
 *
 * @param containerId the container whose task this is
 * @param rootfs      root file system mounts, as the client resolved them from the container's snapshot
 * @param io          stdio paths and terminal
 * @param options     runtime-specific task options (runc: {@code containerd.runc.v1.Options}), or {@code null}
 * @param runtimePath an absolute shim path overriding the container's runtime, or empty
 */
public record NewTask(String containerId, List<Mount> rootfs, TaskIO io, TypedValue options, String runtimePath) {
    public NewTask {
        rootfs = rootfs == null ? List.of() : List.copyOf(rootfs);
        runtimePath = runtimePath == null ? "" : runtimePath;
    }
}
