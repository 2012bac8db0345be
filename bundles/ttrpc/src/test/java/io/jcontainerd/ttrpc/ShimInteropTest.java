package io.jcontainerd.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import containerd.events.TaskCreate;
import containerd.events.TaskDelete;
import containerd.events.TaskExit;
import containerd.events.TaskStart;
import containerd.services.events.ttrpc.v1.ForwardRequest;
import containerd.task.v2.ConnectRequest;
import containerd.task.v2.ConnectResponse;
import containerd.task.v2.CreateTaskRequest;
import containerd.task.v2.CreateTaskResponse;
import containerd.task.v2.DeleteRequest;
import containerd.task.v2.DeleteResponse;
import containerd.task.v2.ShutdownRequest;
import containerd.task.v2.StartRequest;
import containerd.task.v2.StartResponse;
import containerd.task.v2.StateRequest;
import containerd.task.v2.WaitRequest;
import containerd.task.v2.WaitResponse;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.ttrpc.internal.Wire;
import java.nio.channels.SocketChannel;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with the real Go peers: our client drives the real {@code containerd-shim-runc-v2} (and the
 * real runc below it), and the shim's own publisher sends its {@code /tasks/*} events to our server
 * as {@code containerd.services.events.ttrpc.v1.Events/Forward}, as it would to containerd.
 */
class ShimInteropTest {
    private static final String TASK = "containerd.task.v2.Task";
    private static final CallOptions CALL = CallOptions.timeout(Duration.ofSeconds(30));

    record Forwarded(ForwardRequest request, CallContext context) {
    }

    @TempDir
    Path dir;
    private TtrpcServer events;
    private Path eventsSocket;
    private final BlockingQueue<Forwarded> forwarded = new LinkedBlockingQueue<>();

    @BeforeEach
    void startEventsServer() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(RealShim.BINARY)), "no shim installed");
        eventsSocket = dir.resolve("containerd.sock.ttrpc");
        events = new TtrpcServer(PeerCheck.sameUser());
        events.register("containerd.services.events.ttrpc.v1.Events", Map.of("Forward",
                Handler.unary(ForwardRequest.parser(), (ctx, req) -> {
                    forwarded.add(new Forwarded(req, ctx));
                    return Empty.getDefaultInstance();
                })));
        events.serve(eventsSocket);
    }

    @AfterEach
    void stop() {
        if (events != null) {
            events.close();
        }
    }

    private Forwarded nextEvent(String topic, RealShim shim) throws InterruptedException {
        Forwarded f = forwarded.poll(20, TimeUnit.SECONDS);
        assertTrue(f != null, "no " + topic + " event; shim log: " + shim.log());
        assertEquals(topic, f.request().getEnvelope().getTopic());
        assertEquals(shim.namespace, f.request().getEnvelope().getNamespace());
        assertEquals(shim.namespace, f.context().metadataValue("containerd-namespace-ttrpc"));
        assertTrue(f.request().getEnvelope().getTimestamp().getSeconds() > 0);
        return f;
    }

    private static Any runcOptions(RealShim shim) {
        return Any.newBuilder().setTypeUrl("containerd.runc.v1.Options")
                .setValue(containerd.runc.v1.Options.newBuilder().setRoot(shim.runcRoot.toString()).build().toByteString())
                .build();
    }

    @Test
    void taskLifecycleThroughTheRealShimWithItsEventsForwardedToUs() throws Exception {
        try (RealShim shim = new RealShim(eventsSocket, "/bin/sh", "-c", "exit 3");
                TtrpcClient client = connect(shim)) {
            ConnectResponse connected = client.call(TASK, "Connect", ConnectRequest.newBuilder().setId(shim.id).build(),
                    ConnectResponse.parser(), CALL);
            assertTrue(connected.getShimPid() > 0);
            assertEquals(0, connected.getTaskPid());

            TtrpcException e = assertThrows(TtrpcException.class, () -> client.call(TASK, "State",
                    StateRequest.newBuilder().setId(shim.id).build(), containerd.task.v2.StateResponse.parser(), CALL));
            assertEquals(TtrpcException.NOT_FOUND, e.code());
            assertEquals("container not created: not found", e.description());
            assertEquals(ErrorCode.NOT_FOUND, e.toContainerdException().code());
            assertEquals("container not created: not found", e.toContainerdException().getMessage());

            e = assertThrows(TtrpcException.class, () -> client.call(TASK, "NoSuchMethod", new byte[0], CALL));
            assertEquals(TtrpcException.UNIMPLEMENTED, e.code());
            assertEquals("method NoSuchMethod", e.description());

            CreateTaskResponse created = client.call(TASK, "Create", CreateTaskRequest.newBuilder().setId(shim.id)
                    .setBundle(shim.bundle.toString()).setOptions(runcOptions(shim)).build(),
                    CreateTaskResponse.parser(), CALL.withMetadata("containerd-namespace-ttrpc", shim.namespace));
            assertTrue(created.getPid() > 0);
            Forwarded f = nextEvent("/tasks/create", shim);
            assertEquals("containerd.events.TaskCreate", f.request().getEnvelope().getEvent().getTypeUrl());
            TaskCreate tc = TaskCreate.parseFrom(f.request().getEnvelope().getEvent().getValue());
            assertEquals(shim.id, tc.getContainerId());
            assertEquals(created.getPid(), tc.getPid());
            assertEquals(shim.bundle.toString(), tc.getBundle());

            CompletableFuture<byte[]> waiting = client.callAsync(TASK, "Wait",
                    WaitRequest.newBuilder().setId(shim.id).build().toByteArray(), CALL);
            StartResponse started = client.call(TASK, "Start", StartRequest.newBuilder().setId(shim.id).build(),
                    StartResponse.parser(), CALL);
            assertEquals(created.getPid(), started.getPid());
            WaitResponse waited = WaitResponse.parseFrom(waiting.get(30, TimeUnit.SECONDS));
            assertEquals(3, waited.getExitStatus());

            assertEquals(shim.id, TaskStart.parseFrom(nextEvent("/tasks/start", shim).request().getEnvelope()
                    .getEvent().getValue()).getContainerId());
            TaskExit exit = TaskExit.parseFrom(nextEvent("/tasks/exit", shim).request().getEnvelope().getEvent().getValue());
            assertEquals(3, exit.getExitStatus());
            assertEquals(created.getPid(), exit.getPid());

            DeleteResponse deleted = client.call(TASK, "Delete", DeleteRequest.newBuilder().setId(shim.id).build(),
                    DeleteResponse.parser(), CALL);
            assertEquals(3, deleted.getExitStatus());
            TaskDelete td = TaskDelete.parseFrom(nextEvent("/tasks/delete", shim).request().getEnvelope().getEvent().getValue());
            assertEquals(3, td.getExitStatus());

            // Shutdown: the shim exits, and the client learns that its peer went away
            try {
                client.call(TASK, "Shutdown", ShutdownRequest.newBuilder().setId(shim.id).build(), Empty.parser(), CALL);
            } catch (TtrpcClosedException raced) {
                // the shim may exit before its answer leaves
            }
            client.closed().get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (RealShim.alive(connected.getShimPid()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(!RealShim.alive(connected.getShimPid()), "shim still running after Shutdown");
        }
    }

    @Test
    void pendingCallFailsPromptlyWhenTheShimIsKilled() throws Exception {
        try (RealShim shim = new RealShim(eventsSocket, "sleep", "600");
                TtrpcClient client = connect(shim)) {
            long shimPid = client.call(TASK, "Connect", ConnectRequest.newBuilder().setId(shim.id).build(),
                    ConnectResponse.parser(), CALL).getShimPid();
            int taskPid = 0;
            try {
                taskPid = client.call(TASK, "Create", CreateTaskRequest.newBuilder().setId(shim.id)
                        .setBundle(shim.bundle.toString()).setOptions(runcOptions(shim)).build(),
                        CreateTaskResponse.parser(), CALL).getPid();
                client.call(TASK, "Start", StartRequest.newBuilder().setId(shim.id).build(), StartResponse.parser(), CALL);
                CompletableFuture<byte[]> waiting = client.callAsync(TASK, "Wait",
                        WaitRequest.newBuilder().setId(shim.id).build().toByteArray(), CallOptions.NONE);
                Thread.sleep(200);
                assertTrue(!waiting.isDone());
                long t0 = System.nanoTime();
                RealShim.kill(shimPid);
                ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof TtrpcClosedException, String.valueOf(e.getCause()));
                client.closed().get(5, TimeUnit.SECONDS);
                assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 3000);
            } finally {
                RealShim.kill(shimPid);
                if (taskPid > 0) {
                    RealShim.kill(taskPid);
                }
                new ProcessBuilder("runc", "--root", shim.runcRoot.toString(), "delete", "-f", shim.id)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                        .waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The shim's own answers to malformed frames: our server must say the same. */
    @Test
    void shimAndOurServerAnswerProtocolErrorsAlike() throws Exception {
        try (RealShim shim = new RealShim(eventsSocket, "true");
                TtrpcServer ours = new TtrpcServer(PeerCheck.sameUser())) {
            Path oursSocket = dir.resolve("ours.sock");
            ours.register(TASK, Map.of());
            ours.serve(oursSocket);
            List<String> fromShim = protocolErrors(shim.socket);
            List<String> fromOurs = protocolErrors(oursSocket);
            assertEquals(List.of("12 method Nope", "12 service x.Y", "3 StreamID must be odd for client initiated streams",
                    "8 message length 4194305 exceed maximum message size of 4194304"),
                    fromShim.stream().map(x -> x.substring(x.indexOf(' ') + 1)).toList());
            // byte for byte the same response frames
            assertEquals(fromShim, fromOurs);
            // and the shim exits cleanly when told
            try (TtrpcClient client = connect(shim)) {
                try {
                    client.call(TASK, "Shutdown", ShutdownRequest.newBuilder().setId(shim.id).build(), Empty.parser(), CALL);
                } catch (TtrpcClosedException raced) {
                    // exited before answering
                }
                client.closed().get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** For each stream: the response payload in hex, then its status code and message. */
    private static List<String> protocolErrors(Path socket) throws Exception {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            byte[] unknownMethod = RawFramesTest.request(TASK, "Nope", new byte[0]);
            byte[] unknownService = RawFramesTest.request("x.Y", "Z", new byte[0]);
            RawFramesTest.write(ch, unknownMethod.length, 1, 1, unknownMethod);
            RawFramesTest.write(ch, unknownService.length, 3, 1, unknownService);
            RawFramesTest.write(ch, unknownMethod.length, 4, 1, unknownMethod);
            RawFramesTest.write(ch, (4 << 20) + 1, 5, 1, new byte[(4 << 20) + 1]);
            // answers come in any order (protocol errors go out before dispatched calls); sorted by stream
            java.util.TreeMap<Integer, String> out = new java.util.TreeMap<>();
            for (int i = 0; i < 4; i++) {
                RawFramesTest.Frame f = RawFramesTest.read(ch);
                assertEquals(2, f.type());
                assertEquals(0, f.flags());
                Wire.Response r = Wire.decodeResponse(f.payload());
                out.put(f.stream(), java.util.HexFormat.of().formatHex(f.payload()) + " " + r.code() + " " + r.message());
            }
            assertEquals(List.of(1, 3, 4, 5), List.copyOf(out.keySet()));
            return List.copyOf(out.values());
        }
    }

    private static TtrpcClient connect(RealShim shim) throws Exception {
        return TtrpcClient.connect(shim.socket);
    }
}
