package io.jcontainerd.events.grpc;


import static io.jcontainerd.server.grpc.GrpcServiceProperties.NONBLOCKING_METHODS;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import containerd.services.events.v1.EventsGrpc;
import containerd.services.events.v1.ForwardRequest;
import containerd.services.events.v1.PublishRequest;
import containerd.services.events.v1.SubscribeRequest;
import io.grpc.BindableService;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.events.Envelope;
import io.jcontainerd.events.EventForwarder;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.events.EventSubscriber;
import io.jcontainerd.events.Subscription;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.server.grpc.GrpcErrors;
import io.jcontainerd.server.grpc.GrpcNamespace;
import io.jcontainerd.server.grpc.TransportWriterThread;
import io.jcontainerd.types.TypedValue;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code io.containerd.grpc.v1.events} plugin: {@code containerd.services.events.v1.Events}.
 * Publish is namespaced; Subscribe ignores the namespace header, as in containerd. A subscription
 * stream sends only while the client's transport takes more (flow control), so a client that stops
 * reading fills its queue in the exchange and gets dropped there. Streams are written from threads of
 * this plugin's own, never from a publisher's: a sender thread writes to its client's socket itself,
 * and a client that has stopped reading may hold up only its own sender, never whoever published.
 */
@Component(name = "io.containerd.grpc.v1.events", enabled = false, immediate = true, service = BindableService.class,
        property = {NONBLOCKING_METHODS + "=Publish", NONBLOCKING_METHODS + "=Forward", NONBLOCKING_METHODS + "=Subscribe"})
@Plugin(type = PluginType.GRPC, id = "events")
public class EventsGrpcPlugin extends EventsGrpc.EventsImplBase {
    private static final String EXCHANGE = "(plugin.type=" + PluginType.EVENT + ")";

    private final EventPublisher publisher;
    private final EventForwarder forwarder;
    private final EventSubscriber subscriber;
    private final Set<Subscription> open = ConcurrentHashMap.newKeySet();
    /** The last envelope converted: one publication is sent to every subscriber in a row. */
    private final AtomicReference<Converted> lastConverted = new AtomicReference<>();
    /**
     * Runs the senders' drains: a thread per subscription with events to send, idle ones kept 30 s.
     * They write to their client's connection themselves; one waiting for a client that stopped
     * reading holds up only that subscription.
     */
    private final ExecutorService sending = TransportWriterThread.pool("events-send-", 30);

    private record Converted(Envelope envelope, containerd.services.events.v1.Envelope proto) {
    }

    private containerd.services.events.v1.Envelope converted(Envelope e) {
        Converted c = lastConverted.get();
        if (c != null && c.envelope() == e) {
            return c.proto();
        }
        containerd.services.events.v1.Envelope proto = toProto(e);
        lastConverted.set(new Converted(e, proto));
        return proto;
    }

    @Activate
    public EventsGrpcPlugin(@Reference(name = "publisher", target = EXCHANGE) EventPublisher publisher,
            @Reference(name = "forwarder", target = EXCHANGE) EventForwarder forwarder,
            @Reference(name = "subscriber", target = EXCHANGE) EventSubscriber subscriber) {
        this.publisher = publisher;
        this.forwarder = forwarder;
        this.subscriber = subscriber;
    }

    @Deactivate
    void deactivate() {
        open.forEach(Subscription::close);
        sending.shutdown();
    }

    @Override
    public void publish(PublishRequest request, StreamObserver<Empty> response) {
        String ns;
        try {
            ns = GrpcNamespace.required();
        } catch (ContainerdException e) {
            throw e.wrap("failed publishing event"); // as containerd's exchange words it
        }
        publisher.publish(ns, request.getTopic(), typed(request.getEvent()));
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void forward(ForwardRequest request, StreamObserver<Empty> response) {
        containerd.services.events.v1.Envelope e = request.getEnvelope();
        Instant ts = e.hasTimestamp() ? Instant.ofEpochSecond(e.getTimestamp().getSeconds(), e.getTimestamp().getNanos())
                : Instant.EPOCH;
        forwarder.forward(new Envelope(ts, e.getNamespace(), e.getTopic(), typed(e.getEvent())));
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<containerd.services.events.v1.Envelope> response) {
        ServerCallStreamObserver<containerd.services.events.v1.Envelope> stream =
                (ServerCallStreamObserver<containerd.services.events.v1.Envelope>) response;
        Sender sender = new Sender(stream);
        Subscription subscription;
        try {
            subscription = subscriber.subscribe(request.getFiltersList(), sender::signal);
        } catch (ContainerdException e) {
            // containerd reports subscription failures unclassified
            throw new ContainerdException(ErrorCode.UNKNOWN, "subscription error: " + e.getMessage(), e);
        }
        sender.start(subscription);
    }

    /**
     * Moves envelopes from one subscription to its stream while the stream is ready. The first signal
     * (from a publisher, or the transport when the stream becomes ready again) hands a drain to
     * {@link #sending}; signals while it runs only leave a note that there is more, so one thread at a
     * time touches the stream and a burst of events costs one hand-off, not one per event.
     */
    private final class Sender {
        private final ServerCallStreamObserver<containerd.services.events.v1.Envelope> stream;
        private final AtomicInteger pending = new AtomicInteger();
        private volatile Subscription subscription;
        private boolean finished;

        Sender(ServerCallStreamObserver<containerd.services.events.v1.Envelope> stream) {
            this.stream = stream;
        }

        void start(Subscription s) {
            subscription = s;
            open.add(s);
            stream.setOnCancelHandler(() -> {
                s.close();
                open.remove(s);
            });
            stream.setOnReadyHandler(this::signal);
            signal();
        }

        void signal() {
            if (subscription != null && pending.getAndIncrement() == 0) {
                try {
                    sending.execute(this::drain);
                } catch (RejectedExecutionException stopping) {
                    pending.set(0); // the plugin is going away and closes the subscription
                }
            }
        }

        private void drain() {
            int missed = 1;
            do {
                send();
                missed = pending.addAndGet(-missed);
            } while (missed != 0);
        }

        private void send() {
            if (finished) {
                return;
            }
            Subscription s = subscription;
            try {
                while (stream.isReady()) {
                    Envelope e = s.poll();
                    if (e == null) {
                        break;
                    }
                    stream.onNext(converted(e));
                }
                if (s.ended() && !stream.isCancelled()) {
                    finished = true;
                    open.remove(s);
                    ContainerdException why = s.failure();
                    stream.onError(GrpcErrors.toStatusException(why != null ? why
                            : new ContainerdException(ErrorCode.UNAVAILABLE, "event exchange stopped")));
                }
            } catch (RuntimeException clientGone) {
                finished = true;
                s.close();
                open.remove(s);
            }
        }
    }

    static TypedValue typed(Any any) {
        return new TypedValue(any.getTypeUrl(), any.getValue().toByteArray());
    }

    static containerd.services.events.v1.Envelope toProto(Envelope e) {
        containerd.services.events.v1.Envelope.Builder b = containerd.services.events.v1.Envelope.newBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(e.timestamp().getEpochSecond()).setNanos(e.timestamp().getNano()))
                .setNamespace(e.namespace())
                .setTopic(e.topic());
        if (e.event() != null) {
            b.setEvent(Any.newBuilder().setTypeUrl(e.event().typeUrl()).setValue(ByteString.copyFrom(e.event().value())));
        }
        return b.build();
    }
}
