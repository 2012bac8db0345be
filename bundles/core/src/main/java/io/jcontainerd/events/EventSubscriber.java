package io.jcontainerd.events;

import java.util.List;

/** The subscribing role of the event exchange. */
public interface EventSubscriber {
    /**
     * Subscribes to the envelopes that match any of {@code filters} (containerd filter syntax over
     * {@code namespace}, {@code topic} and {@code event.<field>}; all envelopes when there are none).
     * Envelopes queue in the subscription in publication order; {@code listener} is told when there is
     * something to poll or the subscription has ended.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException InvalidArgument when a filter does not parse
     */
    Subscription subscribe(List<String> filters, Runnable listener);
}
