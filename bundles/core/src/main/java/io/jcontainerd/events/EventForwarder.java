package io.jcontainerd.events;

/** The forwarding role of the event exchange: envelopes made elsewhere (by shims), passed on unchanged. */
public interface EventForwarder {
    /**
     * @throws io.jcontainerd.errdefs.ContainerdException InvalidArgument for a bad namespace or topic, or
     *         a missing timestamp
     */
    void forward(Envelope envelope);
}
