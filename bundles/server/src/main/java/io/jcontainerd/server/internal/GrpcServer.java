package io.jcontainerd.server.internal;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.internal.SerializingExecutor;
import io.grpc.okhttp.OkHttpServerBuilder;
import io.jcontainerd.server.grpc.TransportWriterThread;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server on a unix socket, serving whatever {@code services} holds at call time.
 *
 * <p>The transport is grpc-java's OkHttp server: each connection has a thread that reads its frames
 * (blocking reads, no event loop) and dispatches them; handlers run on a pool of their own, since they
 * may wait for an fsync, except the methods listed non-blocking, which run on the reading thread. A
 * thread that writes a response sends it itself (see {@link #transportExecutor}), so an answer costs
 * no hand-off to another thread. Against grpc-java's Netty server on the same machine, a container run
 * with {@code ctr} after a start took about 5 % less time, fewer methods waiting for the JIT (see
 * benchmarks/README.md, RunBench).
 */
final class GrpcServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GrpcServer.class.getName());
    /** The initial HTTP/2 flow-control window of each connection and stream (grpc-java's Netty default). */
    private static final int FLOW_CONTROL_WINDOW = 1 << 20;

    /** What the server listens on and how it treats messages. */
    record Settings(Path socket, int uid, int gid, int maxRecvMessageSize) {
        static final int DEFAULT_MAX_MESSAGE_SIZE = 16 << 20;
    }

    private final Settings settings;
    private final ServiceRegistry services;
    private final ServerInterceptor metrics;
    private ExecutorService executor;
    private ExecutorService transport;
    private Server server;
    private boolean bound;

    GrpcServer(Settings settings, ServiceRegistry services, ServerInterceptor metrics) {
        this.settings = settings;
        this.services = services;
        this.metrics = metrics;
    }

    /**
     * Loads the transport and builds the server without binding, so that this (slow) part can run
     * while the plugins are still loading.
     */
    synchronized void prepare() throws IOException {
        if (server != null) {
            return;
        }
        executor = TransportWriterThread.pool("grpc-call-", 60);
        transport = TransportWriterThread.pool("grpc-io-", 60);
        server = OkHttpServerBuilder.forPort(UnixDomainSocketAddress.of(settings.socket()), InsecureServerCredentials.create())
                .socketFactory(new UnixServerSockets())
                .transportExecutor(transportExecutor(transport))
                .flowControlWindow(FLOW_CONTROL_WINDOW)
                .directExecutor()
                .callExecutor(services.executors(executor))
                .fallbackHandlerRegistry(services)
                .maxInboundMessageSize(settings.maxRecvMessageSize())
                .maxInboundMetadataSize(1 << 20)
                .intercept(CallInterceptors.ERRORS)
                .intercept(CallInterceptors.NAMESPACE)
                .intercept(metrics) // outermost: sees the status the others settle on
                .build();
    }

    /**
     * The executor the OkHttp transport runs its work on. Its accept loop and each connection's reading
     * loop get a pooled thread of their own. Its writes come as a connection's {@link SerializingExecutor}
     * (one at a time per connection, in order). When a {@link TransportWriterThread} sends (a
     * connection's reader, a call's handler, an event subscription's sender), the write runs on that
     * thread, as Netty writes on its event loop, instead of waking a pooled thread to do it: under 16
     * clients a pooled writer made gets about a fifth slower. A socket whose client has stopped reading
     * blocks the writing thread once the kernel's buffer is full; HTTP/2 flow control keeps a unary
     * answer far below that, and other threads (a shim's events completing a Wait, a content stream's
     * pump, a publisher) hand their writes to the pool, so one client never holds them up.
     */
    static Executor transportExecutor(Executor pool) {
        return task -> {
            if (task instanceof SerializingExecutor && Thread.currentThread() instanceof TransportWriterThread) {
                task.run();
            } else {
                pool.execute(task);
            }
        };
    }

    /** Binds the socket (removing a stale one) and starts answering. */
    synchronized void start() throws IOException {
        prepare();
        Path socket = settings.socket();
        UnixSockets.prepare(socket);
        try {
            server.start();
            bound = true;
            UnixSockets.secure(socket, settings.uid(), settings.gid());
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "serving... address={0}", socket);
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.shutdown();
            try {
                if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                    server.shutdownNow();
                }
            } catch (InterruptedException e) {
                server.shutdownNow();
                Thread.currentThread().interrupt();
            }
            server = null;
        }
        if (transport != null) {
            transport.shutdownNow();
            transport = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
        if (bound) {
            bound = false;
            try {
                Files.deleteIfExists(settings.socket());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not remove socket " + settings.socket(), e);
            }
        }
    }
}
