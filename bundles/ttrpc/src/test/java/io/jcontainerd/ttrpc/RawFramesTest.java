package io.jcontainerd.ttrpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.ttrpc.internal.Wire;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each side against hand-written frames: protocol errors, limits, a peer that disappears. */
class RawFramesTest {
    private static final String SVC = "jcontainerd.test.v1.Echo";

    @TempDir
    Path dir;

    /** One frame as read off the wire. */
    record Frame(long length, int stream, byte type, byte flags, byte[] payload) {
    }

    static void write(SocketChannel ch, long length, int stream, int type, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(10 + payload.length);
        b.putInt((int) length).putInt(stream).put((byte) type).put((byte) 0).put(payload).flip();
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    static Frame read(SocketChannel ch) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(10);
        fill(ch, h);
        h.flip();
        long length = Integer.toUnsignedLong(h.getInt());
        int stream = h.getInt();
        byte type = h.get();
        byte flags = h.get();
        ByteBuffer p = ByteBuffer.allocate((int) length);
        fill(ch, p);
        return new Frame(length, stream, type, flags, p.array());
    }

    private static void fill(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException();
            }
        }
    }

    static byte[] request(String service, String method, byte[] payload) {
        return Wire.encodeRequest(new Wire.Request(service, method, payload, 0, List.of()));
    }

    private TtrpcServer echoServer(Path socket) throws IOException {
        TtrpcServer server = new TtrpcServer(PeerCheck.sameUser());
        server.register(SVC, Map.of("Echo", (ctx, p) -> p));
        server.serve(socket);
        return server;
    }

    @Test
    void serverAnswersProtocolErrorsOnTheOffendingStream() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (TtrpcServer server = echoServer(socket);
                SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            // a good request: the response frame has type 2, the same stream, flags 0
            write(ch, request(SVC, "Echo", "x".getBytes(UTF_8)).length, 1, 1, request(SVC, "Echo", "x".getBytes(UTF_8)));
            Frame f = read(ch);
            assertEquals(1, f.stream());
            assertEquals(2, f.type());
            assertEquals(0, f.flags());
            Wire.Response r = Wire.decodeResponse(f.payload());
            assertEquals(0, r.code());
            assertArrayEquals("x".getBytes(UTF_8), r.payload());

            // even stream id
            byte[] req = request(SVC, "Echo", new byte[0]);
            write(ch, req.length, 2, 1, req);
            f = read(ch);
            assertEquals(2, f.stream());
            r = Wire.decodeResponse(f.payload());
            assertEquals(TtrpcException.INVALID_ARGUMENT, r.code());
            assertEquals("StreamID must be odd for client initiated streams", r.message());

            // a frame of an unknown type is ignored; the next request is answered
            write(ch, 3, 3, 9, new byte[] {1, 2, 3});
            // a payload that is not a Request
            write(ch, 2, 5, 1, new byte[] {(byte) 0x0a, (byte) 0x7f});
            f = read(ch);
            assertEquals(5, f.stream());
            r = Wire.decodeResponse(f.payload());
            assertEquals(TtrpcException.INVALID_ARGUMENT, r.code());
            assertTrue(r.message().startsWith("unmarshal request error: "), r.message());

            // a payload over 4 MiB is skipped and refused; the connection goes on
            int big = (4 << 20) + 10;
            byte[] junk = new byte[big];
            write(ch, big, 7, 1, junk);
            f = read(ch);
            assertEquals(7, f.stream());
            r = Wire.decodeResponse(f.payload());
            assertEquals(TtrpcException.RESOURCE_EXHAUSTED, r.code());
            assertEquals("message length 4194314 exceed maximum message size of 4194304", r.message());

            write(ch, req.length, 9, 1, req);
            assertEquals(9, read(ch).stream());
        }
    }

    @Test
    void clientSendsOddStreamsAndFailsOnPeerDeathMidCall() throws Exception {
        Path socket = dir.resolve("c.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            TtrpcClient client = TtrpcClient.connect(socket);
            try (SocketChannel peer = listener.accept()) {
                CompletableFuture<byte[]> a = client.callAsync(SVC, "A", new byte[] {1}, CallOptions.NONE
                        .withMetadata("k", "v"));
                CompletableFuture<byte[]> b = client.callAsync(SVC, "B", new byte[] {2}, CallOptions.NONE);
                Frame fa = read(peer);
                Frame fb = read(peer);
                assertEquals(1, fa.stream());
                assertEquals(3, fb.stream());
                assertEquals(1, fa.type());
                Wire.Request ra = Wire.decodeRequest(fa.payload());
                assertEquals(SVC, ra.service());
                assertEquals("A", ra.method());
                assertEquals(List.of(Map.entry("k", "v")), ra.metadata());
                assertEquals(0, ra.timeoutNano());
                // answer B first, then A with an error status; a response for an unknown stream is ignored
                byte[] ok = Wire.encodeResponse(new Wire.Response(0, "", new byte[] {22}));
                write(peer, ok.length, 99, 2, ok);
                write(peer, ok.length, 3, 2, ok);
                byte[] err = Wire.encodeResponse(new Wire.Response(5, "nope: not found", new byte[0]));
                write(peer, err.length, 1, 2, err);
                assertArrayEquals(new byte[] {22}, b.get(5, TimeUnit.SECONDS));
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> a.get(5, TimeUnit.SECONDS));
                assertEquals(5, ((TtrpcException) e.getCause()).code());

                // a response header announcing more than 4 MiB fails that call only
                CompletableFuture<byte[]> c = client.callAsync(SVC, "C", new byte[0], CallOptions.NONE);
                assertEquals(5, read(peer).stream());
                write(peer, (4 << 20) + 1, 5, 2, new byte[(4 << 20) + 1]);
                e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> c.get(5, TimeUnit.SECONDS));
                assertEquals(TtrpcException.RESOURCE_EXHAUSTED, ((TtrpcException) e.getCause()).code());

                // the peer dies with a call outstanding, half way through a frame
                CompletableFuture<byte[]> d = client.callAsync(SVC, "D", new byte[0], CallOptions.timeout(
                        java.time.Duration.ofMinutes(5)));
                Frame fd = read(peer);
                assertEquals(7, fd.stream());
                assertTrue(Wire.decodeRequest(fd.payload()).timeoutNano() > 299_000_000_000L);
                ByteBuffer partial = ByteBuffer.allocate(6).putInt(100).putShort((short) 0);
                partial.flip();
                peer.write(partial);
                peer.close();
                e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> d.get(5, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof TtrpcClosedException, String.valueOf(e.getCause()));
                client.closed().get(5, TimeUnit.SECONDS);
            } finally {
                client.close();
            }
        }
    }

    /** SO_PEERCRED as the kernel reports it: a process of another user is refused by containerd's rule. */
    @Test
    void serverRefusesAnotherUser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to run a client as another user");
        Path sockDir = Files.createTempDirectory(Path.of("/tmp"), "ttrpc-peer");
        Path socket = sockDir.resolve("p.sock");
        Files.setPosixFilePermissions(sockDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (TtrpcServer server = echoServer(socket)) {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
            byte[] req = request(SVC, "Echo", "hi".getBytes(UTF_8));
            StringBuilder hex = new StringBuilder();
            ByteBuffer frame = ByteBuffer.allocate(10 + req.length).putInt(req.length).putInt(1).put((byte) 1)
                    .put((byte) 0).put(req);
            for (byte x : frame.array()) {
                hex.append(String.format("%02x", x));
            }
            String script = "import socket,sys\n"
                    + "s=socket.socket(socket.AF_UNIX)\n"
                    + "s.connect(sys.argv[1])\n"
                    + "s.sendall(bytes.fromhex(sys.argv[2]))\n"
                    + "s.settimeout(10)\n"
                    + "try:\n"
                    + "  d=s.recv(100)\n"
                    + "except ConnectionResetError:\n"
                    + "  d=b''\n"
                    + "print(len(d))\n";
            for (String[] who : List.of(new String[] {"0", "0"}, new String[] {"65534", "65534"})) {
                Process p = new ProcessBuilder("setpriv", "--reuid=" + who[0], "--regid=" + who[1], "--clear-groups",
                        "/usr/bin/python3", "-c", script, socket.toString(), hex.toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), UTF_8).trim();
                assertTrue(p.waitFor(20, TimeUnit.SECONDS));
                // root (this process's user) gets its 14-byte answer; nobody gets the connection closed unanswered
                assertEquals(who[0].equals("0") ? "14" : "0", out, "uid " + who[0]);
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(sockDir);
        }
    }
}
