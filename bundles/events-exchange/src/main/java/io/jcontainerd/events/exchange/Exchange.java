package io.jcontainerd.events.exchange;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.events.Envelope;
import io.jcontainerd.events.EventForwarder;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.events.EventSubscriber;
import io.jcontainerd.events.Subscription;
import io.jcontainerd.events.Topics;
import io.jcontainerd.filters.Adaptor;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.identifiers.Identifiers;
import io.jcontainerd.namespaces.Namespaces;
import io.jcontainerd.types.TypedValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The event exchange (containerd's {@code events/exchange}): publishing and forwarding validate an
 * envelope and hand it to every subscriber whose filters match.
 *
 * <p>Dispatch happens under one lock, so all subscribers see all envelopes in the same order. It
 * never blocks on a subscriber: each has a queue of at most {@code bufferSize} envelopes, and one
 * whose queue is full is dropped — its subscription ends with Unavailable and a warning is logged —
 * instead of slowing publishers or the other subscribers. (containerd queues without bound; a
 * subscriber that stops reading makes its memory grow for ever. A dropped gRPC subscriber such as
 * dockerd sees its stream end with Unavailable, checks health and subscribes again.)
 */
public final class Exchange implements EventPublisher, EventForwarder, EventSubscriber {
    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

    private final EventFields fields;
    private final int bufferSize;
    private final List<Sub> subscribers = new CopyOnWriteArrayList<>();
    private final Object dispatch = new Object();

    public Exchange(EventFields fields, int bufferSize) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("subscriber buffer must be at least 1, not " + bufferSize);
        }
        this.fields = fields;
        this.bufferSize = bufferSize;
    }

    @Override
    public void publish(String namespace, String topic, TypedValue event) {
        try {
            Namespaces.required(namespace);
        } catch (ContainerdException e) {
            throw e.wrap("failed publishing event");
        }
        validateTopic(topic);
        dispatch(new Envelope(Instant.now(), namespace, topic, event));
    }

    @Override
    public void forward(Envelope envelope) {
        try {
            Identifiers.validate(envelope.namespace());
        } catch (ContainerdException e) {
            throw e.wrap("event envelope has invalid namespace");
        }
        validateTopic(envelope.topic());
        if (envelope.timestamp() == null || envelope.timestamp().equals(Instant.EPOCH)) {
            throw Errdefs.invalidArgument("timestamp must be set on forwarded event");
        }
        dispatch(envelope);
    }

    private static void validateTopic(String topic) {
        try {
            Topics.validate(topic);
        } catch (ContainerdException e) {
            throw e.wrap("envelope topic " + Errdefs.q(topic));
        }
    }

    @Override
    public Subscription subscribe(List<String> filters, Runnable listener) {
        Filter filter;
        try {
            filter = Filters.parseAny(filters);
        } catch (ContainerdException e) {
            throw e.wrap("failed parsing subscription filters");
        }
        Sub s = new Sub(filter, listener);
        subscribers.add(s);
        return s;
    }

    private void dispatch(Envelope envelope) {
        List<Sub> notify = new ArrayList<>(subscribers.size());
        synchronized (dispatch) {
            Adaptor adaptor = null;
            for (Sub s : subscribers) {
                if (s.filter != Filter.ALWAYS) {
                    if (adaptor == null) {
                        adaptor = fields.adaptor(envelope);
                    }
                    if (!s.filter.match(adaptor)) {
                        continue;
                    }
                }
                if (s.offer(envelope)) {
                    notify.add(s);
                } else {
                    drop(s);
                }
            }
        }
        // the order is fixed by the queues; telling the subscribers can happen outside the lock
        for (Sub s : notify) {
            s.listener.run();
        }
    }

    private void drop(Sub s) {
        subscribers.remove(s);
        LOG.log(System.Logger.Level.WARNING,
                "dropping an event subscriber that fell behind: {0} events were waiting for it", bufferSize);
        s.end(new ContainerdException(ErrorCode.UNAVAILABLE,
                "event subscriber fell behind by " + bufferSize + " events and was dropped"));
    }

    /** Ends every subscription (the exchange is going away). */
    public void close() {
        for (Sub s : subscribers) {
            subscribers.remove(s);
            s.end(new ContainerdException(ErrorCode.UNAVAILABLE, "event exchange stopped"));
        }
    }

    /** How many subscriptions are open. */
    public int subscriberCount() {
        return subscribers.size();
    }

    private final class Sub implements Subscription {
        final Filter filter;
        final Runnable listener;
        private final ConcurrentLinkedQueue<Envelope> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger size = new AtomicInteger();
        private volatile boolean ended;
        private volatile ContainerdException failure;

        Sub(Filter filter, Runnable listener) {
            this.filter = filter;
            this.listener = listener;
        }

        /** Queues an envelope; false when the queue is full. Called under the dispatch lock. */
        boolean offer(Envelope e) {
            if (ended) {
                return true;
            }
            if (size.get() >= bufferSize) {
                return false;
            }
            queue.add(e);
            size.incrementAndGet();
            return true;
        }

        void end(ContainerdException why) {
            failure = why;
            ended = true;
            listener.run();
        }

        @Override
        public Envelope poll() {
            Envelope e = queue.poll();
            if (e != null) {
                size.decrementAndGet();
            }
            return e;
        }

        @Override
        public boolean ended() {
            return ended;
        }

        @Override
        public ContainerdException failure() {
            return failure;
        }

        @Override
        public void close() {
            ended = true;
            subscribers.remove(this);
            queue.clear();
        }
    }
}
