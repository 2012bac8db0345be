package io.jcontainerd.events.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import containerd.events.TaskOOM;
import containerd.services.events.ttrpc.v1.Envelope;
import containerd.services.events.ttrpc.v1.ForwardRequest;
import io.jcontainerd.events.Subscription;
import io.jcontainerd.events.exchange.ExchangePlugin;
import io.jcontainerd.ttrpc.CallOptions;
import io.jcontainerd.ttrpc.TtrpcClient;
import io.jcontainerd.ttrpc.TtrpcException;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoint with the real exchange behind it, driven by our ttrpc client. */
class TtrpcEndpointTest {
    @TempDir
    Path dir;
    private ExchangePlugin exchange;

    @BeforeEach
    void exchange() {
        exchange = new ExchangePlugin(new ExchangePlugin.Config() {
            @Override
            public int subscriber__buffer() {
                return 100;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return ExchangePlugin.Config.class;
            }
        });
    }

    private static ForwardRequest forward(String ns, String topic, Instant ts) {
        Envelope.Builder e = Envelope.newBuilder().setNamespace(ns).setTopic(topic)
                .setEvent(Any.newBuilder().setTypeUrl("containerd.events.TaskOOM")
                        .setValue(TaskOOM.newBuilder().setContainerId("c1").build().toByteString()));
        if (ts != null) {
            e.setTimestamp(Timestamp.newBuilder().setSeconds(ts.getEpochSecond()).setNanos(ts.getNano()));
        }
        return ForwardRequest.newBuilder().setEnvelope(e).build();
    }

    @Test
    void forwardedEnvelopesReachSubscribersUnchanged() throws Exception {
        Path socket = dir.resolve("run/containerd.sock.ttrpc");
        Subscription sub = exchange.subscribe(List.of("topic==\"/tasks/oom\""), () -> { });
        try (TtrpcEndpoint endpoint = new TtrpcEndpoint(socket, -1, -1, exchange);
                TtrpcClient client = TtrpcClient.connect(socket)) {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            Instant ts = Instant.parse("2024-01-02T03:04:05.123456789Z");
            CallOptions opts = CallOptions.timeout(Duration.ofSeconds(5)).withMetadata("containerd-namespace-ttrpc", "ns1");
            client.call(EventsTtrpcService.SERVICE, "Forward", forward("ns1", "/tasks/oom", ts), Empty.parser(), opts);
            io.jcontainerd.events.Envelope got = poll(sub);
            assertEquals(ts, got.timestamp());
            assertEquals("ns1", got.namespace());
            assertEquals("/tasks/oom", got.topic());
            assertEquals("containerd.events.TaskOOM", got.event().typeUrl());
            assertEquals("c1", TaskOOM.parseFrom(got.event().value()).getContainerId());

            TtrpcException e = assertThrows(TtrpcException.class, () -> client.call(EventsTtrpcService.SERVICE, "Forward",
                    forward("bad ns!", "/tasks/oom", ts), Empty.parser(), opts));
            assertEquals(TtrpcException.INVALID_ARGUMENT, e.code());
            assertTrue(e.description().startsWith("event envelope has invalid namespace: "), e.description());
            e = assertThrows(TtrpcException.class, () -> client.call(EventsTtrpcService.SERVICE, "Forward",
                    forward("ns1", "/tasks/oom", null), Empty.parser(), opts));
            assertEquals(TtrpcException.INVALID_ARGUMENT, e.code());
            e = assertThrows(TtrpcException.class, () -> client.call(EventsTtrpcService.SERVICE, "Publish",
                    new byte[0], opts));
            assertEquals(TtrpcException.UNIMPLEMENTED, e.code());
        } finally {
            sub.close();
        }
        assertTrue(!Files.exists(socket), "socket removed on close");
    }

    @Test
    void staleSocketIsReplacedAndALiveOneRefused() throws Exception {
        Path socket = dir.resolve("t.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(socket));
            IOException e = assertThrows(IOException.class, () -> new TtrpcEndpoint(socket, -1, -1, exchange));
            assertTrue(e.getMessage().contains("already serving"), e.getMessage());
        }
        assertTrue(Files.exists(socket), "a closed listener leaves its socket file behind");
        try (TtrpcEndpoint endpoint = new TtrpcEndpoint(socket, -1, -1, exchange);
                TtrpcClient client = TtrpcClient.connect(socket)) {
            client.call(EventsTtrpcService.SERVICE, "Forward", forward("default", "/tasks/oom", Instant.now()),
                    Empty.parser(), CallOptions.NONE);
        }
    }

    private static io.jcontainerd.events.Envelope poll(Subscription sub) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            io.jcontainerd.events.Envelope e = sub.poll();
            if (e != null) {
                return e;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no envelope");
    }
}
