package io.jcontainerd.events.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import containerd.events.ContainerCreate;
import containerd.events.ContainerUpdate;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.events.Envelope;
import io.jcontainerd.events.Subscription;
import io.jcontainerd.types.TypedValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExchangeTest {
    final Exchange exchange = new Exchange(new EventFields(() -> List.of(ContainerCreate.getDescriptor())), 100);

    static TypedValue create(String id) {
        return new TypedValue("containerd.events.ContainerCreate",
                ContainerCreate.newBuilder().setId(id).setRuntime(ContainerCreate.Runtime.newBuilder().setName("io.containerd.runc.v2")).build().toByteArray());
    }

    static TypedValue update(String id, String label, String value) {
        return new TypedValue("containerd.events.ContainerUpdate",
                ContainerUpdate.newBuilder().setId(id).putLabels(label, value).build().toByteArray());
    }

    static List<String> drain(Subscription s) {
        List<String> topics = new ArrayList<>();
        for (Envelope e = s.poll(); e != null; e = s.poll()) {
            topics.add(e.namespace() + " " + e.topic());
        }
        return topics;
    }

    @Test
    void subscribersSeeMatchingEnvelopesInOrder() {
        Subscription all = exchange.subscribe(List.of(), () -> { });
        Subscription mine = exchange.subscribe(List.of("namespace==a,topic~=|^/containers/|"), () -> { });
        Subscription byField = exchange.subscribe(List.of("event.id==c2", "event.labels.x==y"), () -> { });
        Subscription byRuntime = exchange.subscribe(List.of("event.runtime.name==io.containerd.runc.v2"), () -> { });
        exchange.publish("a", "/containers/create", create("c1"));
        exchange.publish("b", "/containers/create", create("c2"));
        exchange.publish("a", "/namespaces/create", create("n"));
        exchange.publish("a", "/containers/update", update("c3", "x", "y"));
        assertEquals(List.of("a /containers/create", "b /containers/create", "a /namespaces/create", "a /containers/update"), drain(all));
        assertEquals(List.of("a /containers/create", "a /containers/update"), drain(mine));
        assertEquals(List.of("b /containers/create", "a /containers/update"), drain(byField));
        assertEquals(List.of("a /containers/create", "b /containers/create", "a /namespaces/create"), drain(byRuntime));
    }

    @Test
    void publishAndForwardValidateLikeContainerd() {
        assertEquals("failed publishing event: namespace is required: failed precondition",
                assertThrows(ContainerdException.class, () -> exchange.publish("", "/x", create("c"))).getMessage());
        assertEquals("envelope topic \"x\": must start with '/': invalid argument",
                assertThrows(ContainerdException.class, () -> exchange.publish("a", "x", create("c"))).getMessage());
        assertEquals("envelope topic \"/a//b\": failed validation on component \"\": identifier must not be empty: invalid argument",
                assertThrows(ContainerdException.class, () -> exchange.publish("a", "/a//b", create("c"))).getMessage());
        assertEquals("timestamp must be set on forwarded event: invalid argument", assertThrows(ContainerdException.class,
                () -> exchange.forward(new Envelope(Instant.EPOCH, "a", "/tasks/exit", create("c")))).getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(ContainerdException.class,
                () -> exchange.forward(new Envelope(Instant.now(), "bad/ns", "/tasks/exit", create("c")))).code());
        assertTrue(assertThrows(ContainerdException.class, () -> exchange.subscribe(List.of("topic=="), () -> { }))
                .getMessage().startsWith("failed parsing subscription filters: filters: parse error: [topic==]"));
    }

    @Test
    void aSubscriberThatFallsBehindIsDroppedAndTheOthersGoOn() throws Exception {
        Subscription stalled = exchange.subscribe(List.of(), () -> { });
        List<String> seen = new ArrayList<>();
        Subscription[] live = new Subscription[1];
        // the wake-up runs on whichever publisher thread delivered: drain under one lock
        live[0] = exchange.subscribe(List.of(), () -> {
            synchronized (seen) {
                for (Envelope e = live[0] == null ? null : live[0].poll(); e != null; e = live[0].poll()) {
                    seen.add(e.topic());
                }
            }
        });
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        for (int p = 0; p < 4; p++) {
            publishers.submit(() -> {
                for (int i = 0; i < 100; i++) {
                    exchange.publish("a", "/x", create("c"));
                }
            });
        }
        publishers.shutdown();
        assertTrue(publishers.awaitTermination(10, TimeUnit.SECONDS), "publishers never blocked");
        synchronized (seen) {
            for (Envelope e = live[0].poll(); e != null; e = live[0].poll()) {
                seen.add(e.topic());
            }
            assertEquals(400, seen.size());
        }
        assertTrue(stalled.ended());
        assertEquals(ErrorCode.UNAVAILABLE, stalled.failure().code());
        assertFalse(live[0].ended());
        assertNull(live[0].failure());
        assertEquals(1, exchange.subscriberCount());
    }
}
