package io.jcontainerd.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.jcontainerd.ttrpc.internal.Connection;
import io.jcontainerd.ttrpc.internal.Wire;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A ttrpc client on one unix socket connection. Calls from any number of threads are multiplexed on
 * the connection (odd stream ids, answered in any order). A call fails with a {@link TtrpcException}
 * carrying the server's status, DEADLINE_EXCEEDED when its timeout passes, CANCELLED when its future
 * is cancelled or its thread interrupted, and {@link TtrpcClosedException} as soon as the connection
 * is closed or the peer goes away, for every call still waiting. {@link #closed()} tells when that
 * happened (e.g. that a shim died).
 *
 * <p>There is no cancellation message in ttrpc: a cancelled or timed out call is forgotten here and
 * its late response, if any, dropped.
 */
public final class TtrpcClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TtrpcClient.class.getName());

    private final Connection connection;
    private final Map<Integer, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextStream = new AtomicInteger(1);
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile TtrpcClosedException closedError;

    private TtrpcClient(SocketChannel channel, String name) {
        this.connection = new Connection(channel, name, new Receiver());
        connection.start();
    }

    /** Connects to a ttrpc server listening on {@code socket}. */
    public static TtrpcClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new TtrpcClient(ch, "ttrpc-client-" + socket.getFileName());
    }

    /** A client on a connected channel, which it then owns. */
    public static TtrpcClient of(SocketChannel connected) {
        return new TtrpcClient(connected, "ttrpc-client");
    }

    /**
     * Sends a request without waiting. The future completes with the response payload, or
     * exceptionally with a {@link TtrpcException}; cancelling it abandons the call.
     */
    public CompletableFuture<byte[]> callAsync(String service, String method, byte[] payload, CallOptions options) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        long timeoutNanos = options.timeout() == null ? 0 : options.timeout().toNanos();
        List<Map.Entry<String, String>> md = new ArrayList<>();
        options.metadata().forEach((k, values) -> values.forEach(v -> md.add(Map.entry(k, v))));
        byte[] request = Wire.encodeRequest(new Wire.Request(service, method, payload, timeoutNanos, md));
        if (request.length > Connection.MAX_MESSAGE_LENGTH) {
            result.completeExceptionally(new TtrpcException(TtrpcException.RESOURCE_EXHAUSTED,
                    "message length " + request.length + " exceed maximum message size of "
                            + Connection.MAX_MESSAGE_LENGTH));
            return result;
        }
        int stream = nextStream.getAndAdd(2); // wraps within uint32 and stays odd
        pending.put(stream, result);
        result.whenComplete((r, e) -> pending.remove(stream, result));
        if (closedError != null || !connection.send(stream, Connection.TYPE_REQUEST, request)) {
            result.completeExceptionally(closedError());
            return result;
        }
        if (timeoutNanos > 0) {
            // the JDK's timer drops the deadline as soon as the call completes, so that a finished
            // call is neither held nor woken again until its timeout would have passed
            CompletableFuture<Void> deadline = new CompletableFuture<>();
            deadline.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS).whenComplete((v, e) -> {
                if (e != null) {
                    result.completeExceptionally(new TtrpcException(TtrpcException.DEADLINE_EXCEEDED,
                            "context deadline exceeded"));
                }
            });
            result.whenComplete((r, e) -> deadline.complete(null));
        }
        return result;
    }

    /** Sends a request and waits for its response payload. */
    public byte[] call(String service, String method, byte[] payload, CallOptions options) {
        CompletableFuture<byte[]> f = callAsync(service, method, payload, options);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new TtrpcException(TtrpcException.CANCELLED, "context canceled", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TtrpcException te) {
                // rethrown as a new exception so that the stack shows this caller, not the reader thread
                throw te instanceof TtrpcClosedException ? new TtrpcClosedException(te.getCause())
                        : new TtrpcException(te.code(), te.description(), te);
            }
            throw new TtrpcException(TtrpcException.UNKNOWN, String.valueOf(e.getCause()), e.getCause());
        } catch (CancellationException e) {
            throw new TtrpcException(TtrpcException.CANCELLED, "context canceled", e);
        }
    }

    /** {@link #call} with generated messages: encodes {@code request}, parses the response with {@code parser}. */
    public <R> R call(String service, String method, MessageLite request, Parser<R> parser, CallOptions options) {
        byte[] response = call(service, method, request.toByteArray(), options);
        try {
            return parser.parseFrom(response);
        } catch (InvalidProtocolBufferException e) {
            throw new TtrpcException(TtrpcException.INTERNAL, "ttrpc: error unmarshalling response: "
                    + e.getMessage(), e);
        }
    }

    /** Completes (normally) once the connection is closed, from either side, for any reason. */
    public CompletableFuture<Void> closed() {
        return closed.copy();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Closes the connection; calls still waiting fail with {@link TtrpcClosedException}. */
    @Override
    public void close() {
        connection.close();
    }

    private TtrpcClosedException closedError() {
        TtrpcClosedException e = closedError;
        return e != null ? e : new TtrpcClosedException(null);
    }

    private final class Receiver implements Connection.Listener {
        @Override
        public void frame(int streamId, byte type, byte flags, byte[] payload) {
            CompletableFuture<byte[]> call = pending.get(streamId);
            if (call == null) {
                LOG.log(System.Logger.Level.DEBUG, "ttrpc: response for unknown stream {0}",
                        Integer.toUnsignedString(streamId));
                return;
            }
            if (type != Connection.TYPE_RESPONSE) {
                call.completeExceptionally(new TtrpcException(TtrpcException.UNKNOWN,
                        "unknown message type received: " + type));
                return;
            }
            Wire.Response response;
            try {
                response = Wire.decodeResponse(payload);
            } catch (IOException e) {
                call.completeExceptionally(new TtrpcException(TtrpcException.INTERNAL,
                        "ttrpc: malformed response: " + e.getMessage(), e));
                return;
            }
            if (response.code() != 0) {
                call.completeExceptionally(new TtrpcException(response.code(), response.message()));
            } else {
                call.complete(response.payload());
            }
        }

        @Override
        public void oversize(int streamId, byte type, long length) {
            CompletableFuture<byte[]> call = pending.get(streamId);
            if (call != null) {
                call.completeExceptionally(new TtrpcException(TtrpcException.RESOURCE_EXHAUSTED,
                        "message length " + length + " exceed maximum message size of " + Connection.MAX_MESSAGE_LENGTH));
            }
        }

        @Override
        public void closed(Throwable cause) {
            closedError = new TtrpcClosedException(cause);
            for (CompletableFuture<byte[]> call : List.copyOf(pending.values())) {
                call.completeExceptionally(closedError);
            }
            closed.complete(null);
        }
    }
}
