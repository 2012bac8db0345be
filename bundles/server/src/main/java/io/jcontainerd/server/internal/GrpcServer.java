package io.jcontainerd.server.internal;

import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gRPC server on a unix socket (Netty epoll), serving whatever {@code services} holds at call time.
 * Handlers run on a pool of their own, never on the event loop, since they may wait for an fsync.
 */
final class GrpcServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GrpcServer.class.getName());

    /** What the server listens on and how it treats messages. */
    record Settings(Path socket, int uid, int gid, int maxRecvMessageSize) {
        static final int DEFAULT_MAX_MESSAGE_SIZE = 16 << 20;
    }

    private final Settings settings;
    private final ServiceRegistry services;
    private final ServerInterceptor metrics;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private ExecutorService executor;
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
        if (!Epoll.isAvailable()) {
            throw new IOException("epoll transport unavailable: " + Epoll.unavailabilityCause());
        }
        Path socket = settings.socket();
        boss = new EpollEventLoopGroup(1, new DefaultThreadFactory("grpc-accept", true));
        workers = new EpollEventLoopGroup(2, new DefaultThreadFactory("grpc-io", true));
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "grpc-call-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
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
        if (workers != null) {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers = null;
            boss = null;
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
