package io.jcontainerd.server.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class UnixServerSocketsTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(10)
    void aConnectionWritesWhileAnotherThreadIsBlockedReadingIt() throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocket listener = new UnixServerSockets().createServerSocket()) {
            listener.bind(UnixDomainSocketAddress.of(path));
            assertEquals(UnixDomainSocketAddress.of(path), listener.getLocalSocketAddress());
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                client.connect(UnixDomainSocketAddress.of(path));
                try (Socket conn = listener.accept()) {
                    assertNotNull(conn.getRemoteSocketAddress(), "the transport names connections by it");
                    InputStream in = conn.getInputStream();
                    CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                        byte[] b = new byte[4];
                        try {
                            int n = 0;
                            while (n < 4) {
                                n += in.read(b, n, 4 - n);
                            }
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                        return b;
                    });
                    Thread.sleep(200); // the reader is now blocked in the channel
                    assertFalse(read.isDone());
                    conn.getOutputStream().write("pong".getBytes(UTF_8));
                    ByteBuffer got = ByteBuffer.allocate(4);
                    while (got.hasRemaining()) {
                        client.read(got);
                    }
                    assertArrayEquals("pong".getBytes(UTF_8), got.array());

                    client.write(ByteBuffer.wrap("ping".getBytes(UTF_8)));
                    assertArrayEquals("ping".getBytes(UTF_8), read.get(5, TimeUnit.SECONDS));

                    client.close();
                    assertEquals(-1, in.read(new byte[1], 0, 1), "the end of the client's stream");
                }
            }
            assertFalse(listener.isClosed());
        }
    }

    @Test
    void closingTheListenerEndsItsAccept() throws Exception {
        ServerSocket listener = new UnixServerSockets().createServerSocket();
        listener.bind(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
        CompletableFuture<Object> accept = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (Exception e) {
                return e;
            }
        });
        Thread.sleep(100);
        listener.close();
        assertTrue(listener.isClosed());
        assertTrue(accept.get(5, TimeUnit.SECONDS) instanceof java.io.IOException);
    }

    @Test
    void writesRunOnTransportWriterThreadsAndOthersHandThemToThePool() throws Exception {
        List<Runnable> pooled = new ArrayList<>();
        Executor executor = GrpcServer.transportExecutor(pooled::add);
        List<String> ran = new ArrayList<>();
        io.grpc.internal.SerializingExecutor writes = new io.grpc.internal.SerializingExecutor(executor);

        writes.execute(() -> ran.add(Thread.currentThread().getName()));
        assertEquals(1, pooled.size(), "a thread of another part hands the writes over");
        assertTrue(ran.isEmpty());
        pooled.remove(0).run();
        assertEquals(List.of(Thread.currentThread().getName()), ran);

        Thread own = new io.jcontainerd.server.grpc.TransportWriterThread(() -> writes.execute(() -> ran.add(Thread.currentThread().getName())),
                "grpc-call-test");
        own.start();
        own.join();
        assertTrue(pooled.isEmpty(), "a transport writer thread writes itself");
        assertEquals("grpc-call-test", ran.get(1));

        Runnable reading = () -> { };
        executor.execute(reading);
        assertEquals(List.of(reading), pooled, "anything else (a connection's reading loop) goes to the pool");
    }
}
