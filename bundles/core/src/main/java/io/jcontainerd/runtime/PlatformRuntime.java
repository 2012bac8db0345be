package io.jcontainerd.runtime;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A runtime plugin (containerd's {@code runtime.PlatformRuntime}): creates tasks and keeps the list of
 * those it runs, per namespace.
 */
public interface PlatformRuntime {
    /** The plugin URI, e.g. {@code io.containerd.runtime.v2.task}. */
    String id();

    /** Creates task {@code id} (not started). AlreadyExists if one runs under that id. */
    RuntimeTask create(String namespace, String id, CreateOpts opts);

    /** The task {@code id}; NotFound if there is none. */
    RuntimeTask get(String namespace, String id);

    /** The tasks of {@code namespace}, or of all namespaces when it is {@code null}. */
    List<RuntimeTask> tasks(String namespace);

    /** Deletes task {@code id} and everything the runtime kept for it; answers how it ended. */
    Exit delete(String namespace, String id);

    /**
     * Completes once the tasks that outlived a previous daemon have been found again (or given up), so
     * that {@link #tasks} lists them all; at once for a runtime that finds them before it is offered.
     */
    default CompletableFuture<Void> restored() {
        return CompletableFuture.completedFuture(null);
    }
}
