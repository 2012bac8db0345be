package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import containerd.events.ContainerDelete;
import containerd.services.events.v1.Envelope;
import containerd.services.events.v1.EventsGrpc;
import containerd.services.events.v1.ForwardRequest;
import containerd.services.events.v1.PublishRequest;
import containerd.services.events.v1.SubscribeRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/** The event exchange through ctr events and gRPC subscribers. */
public class EventsIT {

    /** Runs {@code ctr events [filters]} in the background while {@code commands} run, and returns its lines. */
    static List<String> eventsDuring(Path socket, List<String> filters, List<String[]> commands) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("ctr", "--address", socket.toString(), "events"));
        cmd.addAll(filters);
        Path out = Files.createTempFile("jcd-events", ".txt");
        Process events = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            Thread.sleep(700); // the subscription is made before the first event
            for (String[] c : commands) {
                Processes.Result r = Processes.ctr(socket, c);
                assertEquals(String.join(" ", c) + "\n" + r, 0, r.rc());
            }
            Thread.sleep(500);
            Processes.terminate(events, 10);
            return Files.readAllLines(out).stream()
                    .map(l -> l.replaceFirst("^\\S+ \\S+ \\+0000 UTC ", "<time> "))
                    .toList();
        } finally {
            if (events.isAlive()) {
                events.destroyForcibly();
            }
            Files.deleteIfExists(out);
        }
    }

    @Test
    public void ctrEventsShowsWhatContainerdShows() throws Exception {
        try (Daemon d = Daemon.create("").start(); Containerd reference = Containerd.start()) {
            Path rootfs = Files.createDirectories(d.dir.resolve("rootfs"));
            List<String[]> commands = List.of(
                    new String[] {"containers", "create", "--rootfs", rootfs.toString(), "c1", "sh"},
                    new String[] {"containers", "label", "c1", "a=b"},
                    new String[] {"-n", "n2", "containers", "create", "--rootfs", rootfs.toString(), "c2", "sh"},
                    new String[] {"containers", "rm", "c1"},
                    new String[] {"namespaces", "create", "ns1", "k=v"},
                    new String[] {"namespaces", "label", "ns1", "k=w"},
                    new String[] {"namespaces", "rm", "ns1"});
            List<String> ours = eventsDuring(d.socket, List.of(), commands);
            List<String> theirs = eventsDuring(reference.socket, List.of(), commands);
            assertEquals(theirs, ours);
            assertTrue(ours.toString(), ours.get(0).startsWith("<time> default /containers/create {\"id\":\"c1\""));
            assertTrue(ours.toString(), ours.get(2).startsWith("<time> n2 /containers/create"));

            List<String> filtered = eventsDuring(d.socket, List.of("namespace==n2", "topic==\"/containers/delete\""),
                    List.<String[]>of(new String[] {"-n", "n2", "containers", "rm", "c2"}));
            assertEquals(List.of("<time> n2 /containers/delete {\"id\":\"c2\"}"), filtered);

            for (String bad : List.of("topic==", "topic==/x")) {
                Processes.Result expected = reference.ctr("events", bad);
                Processes.Result actual = d.ctr("events", bad);
                assertEquals(bad, expected, actual);
            }
        }
    }

    @Test
    public void publishAndForwardAreValidated() throws Exception {
        try (Daemon d = Daemon.create("").start(); Grpc grpc = new Grpc(d.socket)) {
            EventsGrpc.EventsBlockingStub events = EventsGrpc.newBlockingStub(grpc.channel);
            Any payload = Any.newBuilder().setTypeUrl("containerd.events.ContainerDelete")
                    .setValue(ContainerDelete.newBuilder().setId("x").build().toByteString()).build();
            StatusRuntimeException noNs = NamespacesIT.expectFailure(() ->
                    events.publish(PublishRequest.newBuilder().setTopic("/x").setEvent(payload).build()));
            assertEquals(Status.Code.FAILED_PRECONDITION, noNs.getStatus().getCode());
            assertEquals("failed publishing event: namespace is required: failed precondition",
                    noNs.getStatus().getDescription());
            StatusRuntimeException badTopic = NamespacesIT.expectFailure(() -> events.withInterceptors(Grpc.namespace("n"))
                    .publish(PublishRequest.newBuilder().setTopic("x").setEvent(payload).build()));
            assertEquals("envelope topic \"x\": must start with '/': invalid argument", badTopic.getStatus().getDescription());
            StatusRuntimeException noTime = NamespacesIT.expectFailure(() -> events.forward(ForwardRequest.newBuilder()
                    .setEnvelope(Envelope.newBuilder().setNamespace("n").setTopic("/tasks/exit").setEvent(payload)).build()));
            assertEquals("timestamp must be set on forwarded event: invalid argument", noTime.getStatus().getDescription());
        }
    }

    /**
     * A subscriber that stops reading is dropped once its queue is full; publishers never wait for it
     * and a reading subscriber gets every event, in order.
     */
    @Test
    public void aStalledSubscriberIsDroppedWithoutHoldingUpTheRest() throws Exception {
        String config = "[plugins.\"io.containerd.event.v1.exchange\"]\n  subscriber_buffer = 200\n";
        try (Daemon d = Daemon.create(config).start(); Grpc grpc = new Grpc(d.socket)) {
            EventsGrpc.EventsStub async = EventsGrpc.newStub(grpc.channel);
            List<String> received = new CopyOnWriteArrayList<>();
            CountDownLatch readerReady = new CountDownLatch(1);
            async.subscribe(SubscribeRequest.getDefaultInstance(), new ClientResponseObserver<SubscribeRequest, Envelope>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<SubscribeRequest> call) {
                }

                @Override
                public void onNext(Envelope e) {
                    if (e.getTopic().equals("/ready")) {
                        readerReady.countDown();
                    } else {
                        received.add(e.getTopic());
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            });
            AtomicReference<ClientCallStreamObserver<SubscribeRequest>> stalledCall = new AtomicReference<>();
            AtomicReference<Throwable> stalledEnd = new AtomicReference<>();
            CountDownLatch stalledDone = new CountDownLatch(1);
            async.subscribe(SubscribeRequest.getDefaultInstance(), new ClientResponseObserver<SubscribeRequest, Envelope>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<SubscribeRequest> call) {
                    stalledCall.set(call);
                    call.disableAutoRequestWithInitial(0); // reads nothing until asked
                }

                @Override
                public void onNext(Envelope e) {
                    stalledCall.get().request(1);
                }

                @Override
                public void onError(Throwable t) {
                    stalledEnd.set(t);
                    stalledDone.countDown();
                }

                @Override
                public void onCompleted() {
                    stalledDone.countDown();
                }
            });
            EventsGrpc.EventsBlockingStub publisher = EventsGrpc.newBlockingStub(grpc.channel).withInterceptors(Grpc.namespace("n"));
            Any payload = Any.newBuilder().setTypeUrl("containerd.events.ContainerDelete")
                    .setValue(ContainerDelete.newBuilder().setId("x".repeat(4000)).build().toByteString()).build();
            // subscriptions are made asynchronously: publish until the reader has one
            for (int i = 0; i < 100 && readerReady.getCount() > 0; i++) {
                publisher.publish(PublishRequest.newBuilder().setTopic("/ready").setEvent(payload).build());
                readerReady.await(100, TimeUnit.MILLISECONDS);
            }
            assertEquals(0, readerReady.getCount());
            Thread.sleep(300);
            int n = 2000; // 8 MB: more than the stalled client's 1 MiB flow-control window and 200 queued
            for (int i = 0; i < n; i++) {
                publisher.publish(PublishRequest.newBuilder().setTopic("/e/n" + i).setEvent(payload).build());
            }
            long deadline = System.currentTimeMillis() + 20_000;
            while (received.size() < n && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(n, received.size());
            for (int i = 0; i < n; i++) {
                assertEquals("in order", "/e/n" + i, received.get(i));
            }
            stalledCall.get().request(1); // start reading: what was queued, then the end
            assertTrue(stalledDone.await(20, TimeUnit.SECONDS));
            Status status = Status.fromThrowable(stalledEnd.get());
            assertEquals(Status.Code.UNAVAILABLE, status.getCode());
            assertEquals("event subscriber fell behind by 200 events and was dropped: unavailable", status.getDescription());
            assertTrue(d.logText().contains("dropping an event subscriber that fell behind"));
        }
    }

    static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
