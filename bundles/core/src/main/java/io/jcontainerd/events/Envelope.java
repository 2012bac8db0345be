package io.jcontainerd.events;

import io.jcontainerd.types.TypedValue;
import java.time.Instant;

/**
 * An event as the exchange carries it.
 *
 * @param timestamp when it was published
 * @param namespace the namespace it happened in
 * @param topic     e.g. {@code /containers/create}
 * @param event     the payload, e.g. a {@code containerd.events.ContainerCreate}
 */
public record Envelope(Instant timestamp, String namespace, String topic, TypedValue event) {
}
