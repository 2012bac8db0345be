package io.jcontainerd.events;

import io.jcontainerd.types.TypedValue;

/** The publishing role of the event exchange ({@code io.containerd.event.v1}). */
public interface EventPublisher {
    /**
     * Publishes {@code event} on {@code topic} in {@code namespace}, stamped now.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException InvalidArgument for a bad topic or namespace
     */
    void publish(String namespace, String topic, TypedValue event);
}
