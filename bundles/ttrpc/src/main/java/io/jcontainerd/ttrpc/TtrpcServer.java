package io.jcontainerd.ttrpc;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.ttrpc.internal.Connection;
import io.jcontainerd.ttrpc.internal.Wire;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import jdk.net.UnixDomainPrincipal;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;

/**
 * A ttrpc server on a unix socket: requests are dispatched by service and method to registered
 * {@link Handler}s, several at a time per connection, and each answered on its stream with the
 * handler's payload or an error status. Protocol errors get Go ttrpc's statuses: Unimplemented
 * {@code service <name>} / {@code method <name>}, InvalidArgument for an even stream id or a request
 * that does not parse, ResourceExhausted for a message over 4 MiB. Connections from processes that
 * the {@link PeerCheck} refuses are closed unanswered.
 */
public final class TtrpcServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TtrpcServer.class.getName());
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final PeerCheck peerCheck;
    private final Map<String, Map<String, Handler>> services = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final ExecutorService handlers;
    private final int serverNumber = SERVERS.incrementAndGet();
    private final AtomicInteger connectionNumber = new AtomicInteger();
    private final List<Listener> listeners = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    private record Listener(ServerSocketChannel channel, Path path, Thread acceptor) {
    }

    public TtrpcServer(PeerCheck peerCheck) {
        this.peerCheck = peerCheck;
        AtomicInteger threads = new AtomicInteger();
        this.handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ttrpc-server-" + serverNumber + "-handler-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Serves {@code methods} (by method name) under {@code service}; a service may be registered once.
     * Registration may happen while serving.
     */
    public void register(String service, Map<String, Handler> methods) {
        if (services.putIfAbsent(service, Map.copyOf(methods)) != null) {
            throw new IllegalStateException("duplicate service " + service + " registered");
        }
    }

    /** Stops serving {@code service}; later requests for it get Unimplemented. */
    public void unregister(String service) {
        services.remove(service);
    }

    /**
     * Listens on {@code socket} and serves connections in the background until {@link #close()}.
     * The socket file must not exist (callers prepare the path); it is removed on close.
     */
    public void serve(Path socket) throws IOException {
        if (closed) {
            throw new IllegalStateException("server closed");
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        Thread acceptor = new Thread(() -> acceptLoop(ch), "ttrpc-server-" + serverNumber + "-accept");
        acceptor.setDaemon(true);
        listeners.add(new Listener(ch, socket, acceptor));
        acceptor.start();
    }

    /** Stops listening, removes the socket files, closes every connection. Handlers running are not interrupted. */
    @Override
    public void close() {
        closed = true;
        List<Listener> ls;
        synchronized (listeners) {
            ls = List.copyOf(listeners);
            listeners.clear();
        }
        for (Listener l : ls) {
            try {
                l.channel().close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing ttrpc listener", e);
            }
            try {
                Files.deleteIfExists(l.path());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove ttrpc socket " + l.path(), e);
            }
        }
        for (Connection c : List.copyOf(connections)) {
            c.close();
        }
        handlers.shutdown();
    }

    private void acceptLoop(ServerSocketChannel listener) {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed || !listener.isOpen()) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "ttrpc: failed accept", e);
                sleepQuietly();
                continue;
            }
            accept(ch);
        }
    }

    private void accept(SocketChannel ch) {
        UnixDomainPrincipal peer;
        try {
            peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.WARNING, "ttrpc: cannot read peer credentials, refusing connection", e);
            closeQuietly(ch);
            return;
        }
        if (!peerCheck.accepts(peer)) {
            LOG.log(System.Logger.Level.WARNING, "ttrpc: refusing connection from user {0} group {1}: invalid credentials",
                    peer.user().getName(), peer.group().getName());
            closeQuietly(ch);
            return;
        }
        ServerConnection sc = new ServerConnection(peer);
        Connection c = new Connection(ch, "ttrpc-server-" + serverNumber + "-conn-" + connectionNumber.incrementAndGet(), sc);
        sc.connection = c;
        connections.add(c);
        if (closed) {
            c.close();
            return;
        }
        c.start();
    }

    /** The request side of one connection: decodes requests and hands them to the handler pool. */
    private final class ServerConnection implements Connection.Listener {
        private final UnixDomainPrincipal peer;
        private Connection connection;

        ServerConnection(UnixDomainPrincipal peer) {
            this.peer = peer;
        }

        @Override
        public void frame(int streamId, byte type, byte flags, byte[] payload) {
            if (type != Connection.TYPE_REQUEST) {
                return; // ignored, for compatibility with later message types
            }
            Wire.Request request;
            try {
                request = Wire.decodeRequest(payload);
            } catch (IOException e) {
                respond(streamId, error(TtrpcException.INVALID_ARGUMENT, "unmarshal request error: " + e.getMessage()));
                return;
            }
            if ((streamId & 1) == 0) {
                respond(streamId, error(TtrpcException.INVALID_ARGUMENT,
                        "StreamID must be odd for client initiated streams"));
                return;
            }
            Instant received = Instant.now();
            Map<String, Handler> methods = services.get(request.service());
            Handler handler = methods == null ? null : methods.get(request.method());
            if (handler == null) {
                respond(streamId, error(TtrpcException.UNIMPLEMENTED,
                        methods == null ? "service " + request.service() : "method " + request.method()));
                return;
            }
            if (handler instanceof Handler.Inline) {
                respond(streamId, dispatch(handler, request, received));
                return;
            }
            try {
                handlers.execute(() -> respond(streamId, dispatch(handler, request, received)));
            } catch (RejectedExecutionException e) {
                respond(streamId, error(TtrpcException.UNAVAILABLE, "ttrpc: server closed"));
            }
        }

        @Override
        public void oversize(int streamId, byte type, long length) {
            respond(streamId, error(TtrpcException.RESOURCE_EXHAUSTED,
                    "message length " + length + " exceed maximum message size of " + Connection.MAX_MESSAGE_LENGTH));
        }

        @Override
        public void closed(Throwable cause) {
            connections.remove(connection);
        }

        private Wire.Response dispatch(Handler handler, Wire.Request request, Instant received) {
            Map<String, List<String>> md = new LinkedHashMap<>();
            for (Map.Entry<String, String> kv : request.metadata()) {
                md.computeIfAbsent(kv.getKey(), k -> new ArrayList<>()).add(kv.getValue());
            }
            Instant deadline = request.timeoutNano() > 0 ? received.plusNanos(request.timeoutNano()) : null;
            CallContext context = new CallContext(request.service(), request.method(), Collections.unmodifiableMap(md),
                    deadline, peer);
            try {
                byte[] out = handler.handle(context, request.payload());
                return new Wire.Response(0, "", out == null ? new byte[0] : out);
            } catch (Exception | LinkageError | AssertionError e) {
                return toStatus(e);
            }
        }

        private void respond(int streamId, Wire.Response response) {
            byte[] frame = Wire.encodeResponse(response);
            if (frame.length > Connection.MAX_MESSAGE_LENGTH) {
                frame = Wire.encodeResponse(error(TtrpcException.RESOURCE_EXHAUSTED,
                        "message length " + frame.length + " exceed maximum message size of " + Connection.MAX_MESSAGE_LENGTH));
            }
            connection.send(streamId, Connection.TYPE_RESPONSE, frame);
        }
    }

    /** The status a client sees for a handler's failure; one vocabulary with the gRPC edge. */
    static Wire.Response toStatus(Throwable t) {
        if (t instanceof TtrpcException te) {
            return error(te.code(), te.description());
        }
        if (t instanceof ContainerdException ce) {
            return error(ce.code().grpcCode(), ce.getMessage());
        }
        if (t instanceof InterruptedException || t instanceof java.util.concurrent.CancellationException) {
            return error(TtrpcException.CANCELLED, "context canceled");
        }
        LOG.log(System.Logger.Level.WARNING, "unexpected error serving a ttrpc call", t);
        return error(TtrpcException.UNKNOWN, String.valueOf(t.getMessage()));
    }

    private static Wire.Response error(int code, String message) {
        return new Wire.Response(code, message, new byte[0]);
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already refused
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
