package io.jcontainerd.mount;

import java.nio.file.Path;
import java.util.List;

/** Performs mounts through the C library (never mount(8)); an OSGi service. */
public interface Mounter {
    /**
     * Mounts all of {@code mounts} on {@code target}, one over the other in order; on failure,
     * whatever was mounted is unmounted again.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException with the errno text on failure
     */
    void mountAll(List<Mount> mounts, Path target);

    /** Unmounts {@code target} until nothing is mounted there (lazily if busy when {@code detach}). */
    void unmountAll(Path target, boolean detach);
}
