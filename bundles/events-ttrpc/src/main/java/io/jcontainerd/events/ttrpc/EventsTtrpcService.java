package io.jcontainerd.events.ttrpc;

import com.google.protobuf.Empty;
import containerd.services.events.ttrpc.v1.ForwardRequest;
import io.jcontainerd.events.Envelope;
import io.jcontainerd.events.EventForwarder;
import io.jcontainerd.ttrpc.Handler;
import io.jcontainerd.types.TypedValue;
import java.time.Instant;
import java.util.Map;

/**
 * {@code containerd.services.events.ttrpc.v1.Events}: shims' envelopes (namespace, topic and timestamp
 * as the shim made them) passed on to the exchange unchanged, as containerd's events ttrpc service.
 */
public final class EventsTtrpcService {
    public static final String SERVICE = "containerd.services.events.ttrpc.v1.Events";

    private final EventForwarder forwarder;

    public EventsTtrpcService(EventForwarder forwarder) {
        this.forwarder = forwarder;
    }

    /**
     * The methods to register on a ttrpc server under {@link #SERVICE}. Forward hands the envelope to
     * the exchange, which never waits, so it runs as each request arrives: a shim's envelopes reach
     * subscribers in the order it sent them (its OOM notice and its exit come from two goroutines, and
     * dockerd counts the OOM only if it comes first).
     */
    public Map<String, Handler> methods() {
        return Map.of("Forward", Handler.inline(Handler.unary(ForwardRequest.parser(), (ctx, request) -> {
            forward(request);
            return Empty.getDefaultInstance();
        })));
    }

    void forward(ForwardRequest request) {
        containerd.services.events.ttrpc.v1.Envelope e = request.getEnvelope();
        Instant ts = e.hasTimestamp() ? Instant.ofEpochSecond(e.getTimestamp().getSeconds(), e.getTimestamp().getNanos())
                : Instant.EPOCH; // refused by the exchange, as containerd refuses a zero timestamp
        forwarder.forward(new Envelope(ts, e.getNamespace(), e.getTopic(),
                new TypedValue(e.getEvent().getTypeUrl(), e.getEvent().getValue().toByteArray())));
    }
}
