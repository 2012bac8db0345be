package io.jcontainerd.gc;

/**
 * The metadata garbage collector ({@code io.containerd.gc.v1} scheduler), as services that delete
 * with {@code sync} see it: a way to run one full collection and wait for it.
 */
public interface GarbageCollector {
    /**
     * Runs a full collection now (or joins one already running) and returns once it has finished:
     * every content blob and snapshot no longer referenced at its start is removed, from the
     * metadata store and from its backend. Callers use it for containerd's synchronous deletes.
     */
    void collect();
}
