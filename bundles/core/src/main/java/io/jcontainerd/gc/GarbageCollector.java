package io.jcontainerd.gc;

/**
 * The garbage collection scheduler (plugin {@code io.containerd.gc.v1.scheduler}), an OSGi service.
 * Deletions in the metadata store schedule a collection by themselves; {@link #collect()} is for
 * callers that must see the result at once (containerd's {@code sync} deletes).
 */
public interface GarbageCollector {
    /** Runs a full collection now (or joins the one running) and returns when it has finished. */
    void collect();
}
