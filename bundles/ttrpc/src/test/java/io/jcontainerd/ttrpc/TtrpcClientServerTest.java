package io.jcontainerd.ttrpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.errdefs.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our client against our server on a real unix socket. */
class TtrpcClientServerTest {
    private static final String SVC = "jcontainerd.test.v1.Echo";

    @TempDir
    Path dir;
    private Path socket;
    private TtrpcServer server;
    private final List<TtrpcClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        socket = dir.resolve("t.sock");
        server = new TtrpcServer(PeerCheck.sameUser());
    }

    @AfterEach
    void stop() {
        clients.forEach(TtrpcClient::close);
        server.close();
    }

    private TtrpcClient client() throws Exception {
        TtrpcClient c = TtrpcClient.connect(socket);
        clients.add(c);
        return c;
    }

    @Test
    void inlineHandlersTakeOneConnectionsRequestsInTheOrderSent() throws Exception {
        List<String> handled = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, Handler> methods = Map.of("Note", Handler.inline((ctx, payload) -> {
            handled.add(new String(payload, UTF_8));
            return new byte[0];
        }), "Fail", Handler.inline((ctx, payload) -> {
            throw Errdefs.notFound("no %s", new String(payload, UTF_8));
        }));
        server.register(SVC, methods);
        server.serve(socket);
        TtrpcClient c = client();
        List<String> sent = new ArrayList<>();
        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            sent.add("n" + i);
            calls.add(c.callAsync(SVC, "Note", ("n" + i).getBytes(UTF_8), CallOptions.NONE));
        }
        for (CompletableFuture<byte[]> call : calls) {
            call.get(30, TimeUnit.SECONDS);
        }
        assertEquals(sent, handled);
        // a failure is answered as any handler's
        TtrpcException e = assertThrows(TtrpcException.class, () -> c.call(SVC, "Fail", "x".getBytes(UTF_8), CallOptions.NONE));
        assertEquals(TtrpcException.NOT_FOUND + " no x: not found", e.code() + " " + e.description());
    }

    @Test
    void roundTripCarriesPayloadMetadataAndTimeout() throws Exception {
        AtomicReference<CallContext> seen = new AtomicReference<>();
        server.register(SVC, Map.of("Echo", (ctx, payload) -> {
            seen.set(ctx);
            return ("echo:" + new String(payload, UTF_8)).getBytes(UTF_8);
        }));
        server.serve(socket);
        Instant before = Instant.now();
        byte[] out = client().call(SVC, "Echo", "hi".getBytes(UTF_8), CallOptions.timeout(Duration.ofSeconds(30))
                .withMetadata("Containerd-Namespace-TTRPC", "ns1").withMetadata("containerd-namespace-ttrpc", "ns2"));
        assertEquals("echo:hi", new String(out, UTF_8));
        CallContext ctx = seen.get();
        assertEquals(SVC, ctx.service());
        assertEquals("Echo", ctx.method());
        assertEquals(List.of("ns1", "ns2"), ctx.metadata().get("containerd-namespace-ttrpc"));
        assertEquals("ns1", ctx.metadataValue("CONTAINERD-NAMESPACE-TTRPC"));
        assertNotNull(ctx.deadline());
        assertTrue(ctx.deadline().isAfter(before.plusSeconds(29)) && ctx.deadline().isBefore(Instant.now().plusSeconds(31)),
                ctx.deadline().toString());
        assertNotNull(ctx.peer());

        // an empty payload and no timeout
        assertEquals("echo:", new String(client().call(SVC, "Echo", new byte[0], CallOptions.NONE), UTF_8));
        assertNull(seen.get().deadline());
    }

    @Test
    void errorsBecomeStatusesInContainerdsVocabulary() throws Exception {
        server.register(SVC, Map.of(
                "NotFound", (ctx, p) -> {
                    throw Errdefs.notFound("container %s", Errdefs.q("c1"));
                },
                "Boom", (ctx, p) -> {
                    throw new IllegalStateException("boom");
                },
                "Status", (ctx, p) -> {
                    throw new TtrpcException(TtrpcException.RESOURCE_EXHAUSTED, "too much");
                }));
        server.serve(socket);
        TtrpcClient c = client();

        TtrpcException e = assertThrows(TtrpcException.class, () -> c.call(SVC, "NotFound", new byte[0], CallOptions.NONE));
        assertEquals(TtrpcException.NOT_FOUND, e.code());
        assertEquals("container \"c1\": not found", e.description());
        ContainerdException ce = e.toContainerdException();
        assertEquals(ErrorCode.NOT_FOUND, ce.code());
        assertEquals("container \"c1\": not found", ce.getMessage());
        assertEquals("container \"c1\"", ce.context());

        e = assertThrows(TtrpcException.class, () -> c.call(SVC, "Boom", new byte[0], CallOptions.NONE));
        assertEquals(TtrpcException.UNKNOWN, e.code());
        assertEquals("boom", e.description());

        e = assertThrows(TtrpcException.class, () -> c.call(SVC, "Status", new byte[0], CallOptions.NONE));
        assertEquals(TtrpcException.RESOURCE_EXHAUSTED, e.code());
        assertEquals("too much", e.description());

        e = assertThrows(TtrpcException.class, () -> c.call(SVC, "Nope", new byte[0], CallOptions.NONE));
        assertEquals(TtrpcException.UNIMPLEMENTED, e.code());
        assertEquals("method Nope", e.description());

        e = assertThrows(TtrpcException.class, () -> c.call("no.such.Service", "X", new byte[0], CallOptions.NONE));
        assertEquals(TtrpcException.UNIMPLEMENTED, e.code());
        assertEquals("service no.such.Service", e.description());
        assertEquals(ErrorCode.NOT_IMPLEMENTED, e.toContainerdException().code());

        // the connection survives errors
        assertTrue(!c.isClosed());
    }

    @Test
    void manyConcurrentCallsOnOneConnectionAreAnsweredOutOfOrder() throws Exception {
        CountDownLatch lastAnswered = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> answerOrder = new ConcurrentLinkedQueue<>();
        server.register(SVC, Map.of(
                "First", (ctx, p) -> {
                    // held until a later call has been answered: responses cross on the connection
                    assertTrue(lastAnswered.await(10, TimeUnit.SECONDS));
                    answerOrder.add("first");
                    return "first".getBytes(UTF_8);
                },
                "Echo", (ctx, p) -> {
                    Thread.sleep((p[p.length - 1] % 7) * 3L);
                    return p;
                }));
        server.serve(socket);
        TtrpcClient c = client();
        CompletableFuture<byte[]> first = c.callAsync(SVC, "First", new byte[0], CallOptions.NONE);
        int n = 300;
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 6; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                try {
                    for (int i = thread; i < n; i += 6) {
                        byte[] out = c.call(SVC, "Echo", ("call-" + i).getBytes(UTF_8), CallOptions.NONE);
                        assertEquals("call-" + i, new String(out, UTF_8));
                        answered.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(30_000);
        }
        assertNull(failure.get());
        assertEquals(n, answered.get());
        answerOrder.add("echoes");
        lastAnswered.countDown();
        assertEquals("first", new String(first.get(10, TimeUnit.SECONDS), UTF_8));
        assertEquals(List.of("echoes", "first"), List.copyOf(answerOrder));
        for (Thread th : threads) {
            assertTrue(!th.isAlive());
        }
    }

    @Test
    void timeoutFailsTheCallLocallyAndLeavesTheConnectionUsable() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.register(SVC, Map.of(
                "Slow", (ctx, p) -> {
                    release.await(10, TimeUnit.SECONDS);
                    return "late".getBytes(UTF_8);
                },
                "Echo", (ctx, p) -> p));
        server.serve(socket);
        TtrpcClient c = client();
        long t0 = System.nanoTime();
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> c.call(SVC, "Slow", new byte[0], CallOptions.timeout(Duration.ofMillis(200))));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(TtrpcException.DEADLINE_EXCEEDED, e.code());
        assertEquals("context deadline exceeded", e.description());
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.toContainerdException().code());
        assertTrue(ms >= 190 && ms < 3000, "took " + ms + " ms");
        release.countDown(); // the late response is dropped
        assertArrayEquals(new byte[] {1, 2}, c.call(SVC, "Echo", new byte[] {1, 2}, CallOptions.NONE));
    }

    @Test
    void aCallThatCompletedIsNotHeldUntilItsTimeoutWouldHavePassed() throws Exception {
        server.register(SVC, Map.of("Echo", (ctx, p) -> p));
        server.serve(socket);
        TtrpcClient c = client();
        CompletableFuture<byte[]> f = c.callAsync(SVC, "Echo", new byte[1 << 20], CallOptions.timeout(Duration.ofMinutes(10)));
        assertEquals(1 << 20, f.get(5, TimeUnit.SECONDS).length);
        java.lang.ref.WeakReference<CompletableFuture<byte[]>> done = new java.lang.ref.WeakReference<>(f);
        f = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (done.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(done.get(), "the call's future (and its 1 MiB response) is still referenced");
    }

    @Test
    void cancelledCallIsAbandonedAndTheConnectionStaysUsable() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server.register(SVC, Map.of(
                "Slow", (ctx, p) -> {
                    started.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    return "late".getBytes(UTF_8);
                },
                "Echo", (ctx, p) -> p));
        server.serve(socket);
        TtrpcClient c = client();
        CompletableFuture<byte[]> slow = c.callAsync(SVC, "Slow", new byte[0], CallOptions.NONE);
        assertTrue(started.await(5, TimeUnit.SECONDS));
        assertTrue(slow.cancel(true));
        release.countDown();
        assertArrayEquals(new byte[] {7}, c.call(SVC, "Echo", new byte[] {7}, CallOptions.NONE));

        // an interrupted caller gets CANCELLED, without breaking the connection
        CountDownLatch started2 = new CountDownLatch(1);
        server.register(SVC + "2", Map.of("Block", (ctx, p) -> {
            started2.countDown();
            Thread.sleep(10_000);
            return p;
        }));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                c.call(SVC + "2", "Block", new byte[0], CallOptions.NONE);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        assertTrue(started2.await(5, TimeUnit.SECONDS));
        caller.interrupt();
        caller.join(5_000);
        assertEquals(TtrpcException.CANCELLED, ((TtrpcException) thrown.get()).code());
        assertArrayEquals(new byte[] {8}, c.call(SVC, "Echo", new byte[] {8}, CallOptions.NONE));
    }

    @Test
    void pendingCallsFailPromptlyWhenTheServerGoesAway() throws Exception {
        CountDownLatch started = new CountDownLatch(3);
        server.register(SVC, Map.of("Hang", (ctx, p) -> {
            started.countDown();
            Thread.sleep(30_000);
            return p;
        }));
        server.serve(socket);
        TtrpcClient c = client();
        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(c.callAsync(SVC, "Hang", new byte[0], CallOptions.NONE));
        }
        assertTrue(started.await(5, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        server.close();
        for (CompletableFuture<byte[]> f : calls) {
            Throwable e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS)).getCause();
            assertTrue(e instanceof TtrpcClosedException, String.valueOf(e));
            assertEquals("ttrpc: closed", e.getMessage());
        }
        c.closed().get(5, TimeUnit.SECONDS);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 2000);
        // later calls fail at once too
        TtrpcClosedException late = assertThrows(TtrpcClosedException.class,
                () -> c.call(SVC, "Hang", new byte[0], CallOptions.NONE));
        assertEquals(TtrpcException.UNAVAILABLE, late.code());
        assertTrue(!java.nio.file.Files.exists(socket), "socket removed on close");
    }

    @Test
    void closingTheClientFailsItsPendingCallsAndNotifies() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        server.register(SVC, Map.of("Hang", (ctx, p) -> {
            started.countDown();
            Thread.sleep(30_000);
            return p;
        }));
        server.serve(socket);
        TtrpcClient c = client();
        CompletableFuture<byte[]> f = c.callAsync(SVC, "Hang", new byte[0], CallOptions.NONE);
        assertTrue(started.await(5, TimeUnit.SECONDS));
        c.close();
        assertTrue(f.handle((r, e) -> e).get(5, TimeUnit.SECONDS) instanceof TtrpcClosedException);
        c.closed().get(1, TimeUnit.SECONDS);
        assertTrue(c.isClosed());
    }

    @Test
    void oversizeRequestIsRefusedLocally() throws Exception {
        server.register(SVC, Map.of("Echo", (ctx, p) -> p));
        server.serve(socket);
        TtrpcClient c = client();
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> c.call(SVC, "Echo", new byte[(4 << 20) + 1], CallOptions.NONE));
        assertEquals(TtrpcException.RESOURCE_EXHAUSTED, e.code());
        assertTrue(e.description().startsWith("message length 41943"), e.description());
        assertTrue(e.description().endsWith(" exceed maximum message size of 4194304"), e.description());
        // just under the limit goes through
        byte[] big = new byte[(4 << 20) - 1024];
        big[big.length - 1] = 42;
        assertArrayEquals(big, c.call(SVC, "Echo", big, CallOptions.NONE));
    }

    @Test
    void oversizeResponseBecomesResourceExhausted() throws Exception {
        server.register(SVC, Map.of("Big", (ctx, p) -> new byte[5 << 20], "Echo", (ctx, p) -> p));
        server.serve(socket);
        TtrpcClient c = client();
        TtrpcException e = assertThrows(TtrpcException.class, () -> c.call(SVC, "Big", new byte[0], CallOptions.NONE));
        assertEquals(TtrpcException.RESOURCE_EXHAUSTED, e.code());
        assertArrayEquals(new byte[] {3}, c.call(SVC, "Echo", new byte[] {3}, CallOptions.NONE));
    }

    @Test
    void refusedPeerIsDisconnected() throws Exception {
        server.close();
        server = new TtrpcServer(peer -> false);
        server.register(SVC, Map.of("Echo", (ctx, p) -> p));
        server.serve(socket);
        TtrpcClient c = client();
        c.closed().get(5, TimeUnit.SECONDS);
        assertThrows(TtrpcClosedException.class, () -> c.call(SVC, "Echo", new byte[] {1}, CallOptions.NONE));
    }
}
