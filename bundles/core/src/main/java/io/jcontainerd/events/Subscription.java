package io.jcontainerd.events;

import io.jcontainerd.errdefs.ContainerdException;

/**
 * One subscriber's queue of envelopes. A subscriber that does not keep up is dropped: once its queue
 * is full, the subscription ends with a ResourceExhausted-like {@link #failure()} rather than slowing
 * publishers or other subscribers.
 */
public interface Subscription extends AutoCloseable {
    /** The next envelope, or {@code null} when none is queued. */
    Envelope poll();

    /** True once the subscription has ended (closed, or dropped for falling behind). */
    boolean ended();

    /** Why the exchange ended the subscription, or {@code null}. */
    ContainerdException failure();

    /** Ends the subscription. */
    @Override
    void close();
}
