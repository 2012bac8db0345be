package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.Empty;
import containerd.services.snapshots.v1.CleanupRequest;
import containerd.services.snapshots.v1.CommitSnapshotRequest;
import containerd.services.snapshots.v1.ListSnapshotsRequest;
import containerd.services.snapshots.v1.ListSnapshotsResponse;
import containerd.services.snapshots.v1.MountsRequest;
import containerd.services.snapshots.v1.MountsResponse;
import containerd.services.snapshots.v1.PrepareSnapshotRequest;
import containerd.services.snapshots.v1.PrepareSnapshotResponse;
import containerd.services.snapshots.v1.RemoveSnapshotRequest;
import containerd.services.snapshots.v1.SnapshotsGrpc;
import containerd.services.snapshots.v1.StatSnapshotRequest;
import containerd.services.snapshots.v1.StatSnapshotResponse;
import containerd.services.snapshots.v1.UpdateSnapshotRequest;
import containerd.services.snapshots.v1.UpdateSnapshotResponse;
import containerd.services.snapshots.v1.UsageRequest;
import containerd.services.snapshots.v1.UsageResponse;
import containerd.services.snapshots.v1.ViewSnapshotRequest;
import containerd.services.snapshots.v1.ViewSnapshotResponse;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * {@code [proxy_plugins.<name>] type = "snapshot"}: a snapshotter served by another process over
 * containerd's snapshots API (as stargz or nydus serve theirs). The process here is a small relay that
 * stores everything in a real containerd 1.6's {@code native} snapshotter: it renames the snapshotter
 * in each call (a proxy's calls carry the proxy's name, {@code remote}) and passes the namespace
 * header on. Images are unpacked and containers run on it through our daemon, with the real shim and
 * runc; the snapshots end up in containerd.
 */
public class ProxySnapshotterIT {
    private static final String IMAGE = RunIT.IMAGE;
    private static final String NS = "jcd-proxy";
    private static java.util.Set<Path> cgroupsBefore;
    private static final Metadata.Key<String> NAMESPACE = Metadata.Key.of("containerd-namespace",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> CALL_NAMESPACE = Context.key("namespace");

    private static Containerd backend;
    private static Grpc toBackend;
    private static EpollEventLoopGroup relayLoop;
    private static Server relay;
    private static Daemon ours;

    @BeforeClass
    public static void start() throws Exception {
        cgroupsBefore = Processes.cgroupsNamed(NS);
        backend = Containerd.start();
        toBackend = new Grpc(backend.socket);
        Path relaySocket = backend.socket.resolveSibling("relay.sock");
        relayLoop = new EpollEventLoopGroup(1);
        ServerInterceptor namespace = new ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call, Metadata headers,
                    io.grpc.ServerCallHandler<Q, R> next) {
                return Contexts.interceptCall(Context.current().withValue(CALL_NAMESPACE, headers.get(NAMESPACE)),
                        call, headers, next);
            }
        };
        relay = NettyServerBuilder.forAddress(new DomainSocketAddress(relaySocket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(relayLoop).workerEventLoopGroup(relayLoop)
                .addService(ServerInterceptors.intercept(new Relay(), namespace))
                .build().start();
        ours = Daemon.create("[proxy_plugins]\n  [proxy_plugins.remote]\n    type = \"snapshot\"\n    address = \""
                + relaySocket + "\"").start();
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (ours != null) {
                ours.removeTasksAndContainers(NS);
                ours.close();
            }
        } finally {
            if (relay != null) {
                relay.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                relayLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            }
            if (toBackend != null) {
                toBackend.close();
            }
            if (backend != null) {
                backend.close();
            }
            Processes.removeAddedCgroups(NS, cgroupsBefore);
        }
    }

    @Test
    public void imagesUnpackAndContainersRunOnTheProxiedSnapshotter() throws Exception {
        Processes.Result ls = ours.ctr("plugins", "ls");
        assertTrue(ls.out(), ls.out().lines().anyMatch(l -> l.matches("io.containerd.snapshotter.v1\\s+remote\\s+-\\s+ok\\s*")));

        ours.importBusybox(NS, IMAGE, "--snapshotter", "remote");
        Processes.Result run = ctr("run", "--rm", "--snapshotter", "remote", IMAGE, "p1", "sh", "-c", "echo hello; ls /bin/busybox");
        assertEquals(run.toString(), 0, run.rc());
        assertEquals("hello\n/bin/busybox\n", run.out());

        // what was unpacked lives in containerd's native snapshotter, in the caller's namespace
        Processes.Result theirs = backend.ctr("-n", NS, "snapshots", "--snapshotter", "native", "ls");
        assertEquals(theirs.toString(), 0, theirs.rc());
        assertTrue(theirs.out(), theirs.out().lines().anyMatch(l -> l.contains("Committed")));
        Processes.Result usage = ctr("snapshots", "--snapshotter", "remote", "usage");
        assertEquals(usage.toString(), 0, usage.rc());
        assertTrue(usage.out(), usage.out().lines().count() >= 2);
    }

    /** A proxy named like one of our own snapshotters gives way to it (containerd refuses to start then). */
    @Test
    public void aProxyNamedLikeABuiltInSnapshotterGivesWay() throws Exception {
        try (Daemon d = Daemon.create("[proxy_plugins]\n  [proxy_plugins.native]\n    type = \"snapshot\"\n    address = \""
                + backend.socket.resolveSibling("relay.sock") + "\"").start()) {
            List<String> natives = d.ctr("plugins", "ls").out().lines()
                    .filter(l -> l.startsWith("io.containerd.snapshotter.v1 ")).filter(l -> l.contains(" native "))
                    .map(l -> l.replaceAll("\\s+", " ").strip()).toList();
            assertEquals(List.of("io.containerd.snapshotter.v1 native linux/amd64 ok",
                    "io.containerd.snapshotter.v1 native - error"), natives);
            Processes.Result detail = d.ctr("plugins", "ls", "-d", "id==native");
            assertTrue(detail.out(), detail.out().contains("io.containerd.snapshotter.v1.native: plugin: id already registered"));
        }
    }

    private static Processes.Result ctr(String... args) throws Exception {
        List<String> a = new java.util.ArrayList<>(List.of("-n", NS));
        a.addAll(List.of(args));
        return ours.ctr(a.toArray(String[]::new));
    }

    /** Passes each call to containerd's native snapshotter, with the caller's namespace. */
    private static final class Relay extends SnapshotsGrpc.SnapshotsImplBase {
        private static SnapshotsGrpc.SnapshotsBlockingStub backend() {
            SnapshotsGrpc.SnapshotsBlockingStub stub = SnapshotsGrpc.newBlockingStub(toBackend.channel);
            String ns = CALL_NAMESPACE.get();
            return ns == null ? stub : stub.withInterceptors(Grpc.namespace(ns));
        }

        private static <T> void answer(StreamObserver<T> out, Supplier<T> call) {
            try {
                out.onNext(call.get());
                out.onCompleted();
            } catch (StatusRuntimeException e) {
                out.onError(e.getStatus().asRuntimeException());
            }
        }

        @Override
        public void prepare(PrepareSnapshotRequest r, StreamObserver<PrepareSnapshotResponse> out) {
            answer(out, () -> backend().prepare(r.toBuilder().setSnapshotter("native").build()));
        }

        @Override
        public void view(ViewSnapshotRequest r, StreamObserver<ViewSnapshotResponse> out) {
            answer(out, () -> backend().view(r.toBuilder().setSnapshotter("native").build()));
        }

        @Override
        public void mounts(MountsRequest r, StreamObserver<MountsResponse> out) {
            answer(out, () -> backend().mounts(r.toBuilder().setSnapshotter("native").build()));
        }

        @Override
        public void commit(CommitSnapshotRequest r, StreamObserver<Empty> out) {
            answer(out, () -> backend().commit(r.toBuilder().setSnapshotter("native").build()));
        }

        @Override
        public void remove(RemoveSnapshotRequest r, StreamObserver<Empty> out) {
            answer(out, () -> backend().remove(r.toBuilder().setSnapshotter("native").build()));
        }

        @Override
        public void stat(StatSnapshotRequest r, StreamObserver<StatSnapshotResponse> out) {
            answer(out, () -> backend().stat(r.toBuilder().setSnapshotter("native").build()));
        }

        @Override
        public void update(UpdateSnapshotRequest r, StreamObserver<UpdateSnapshotResponse> out) {
            answer(out, () -> backend().update(r.toBuilder().setSnapshotter("native").build()));
        }

        @Override
        public void list(ListSnapshotsRequest r, StreamObserver<ListSnapshotsResponse> out) {
            try {
                backend().list(r.toBuilder().setSnapshotter("native").build()).forEachRemaining(out::onNext);
                out.onCompleted();
            } catch (StatusRuntimeException e) {
                out.onError(e.getStatus().asRuntimeException());
            }
        }

        @Override
        public void usage(UsageRequest r, StreamObserver<UsageResponse> out) {
            answer(out, () -> backend().usage(r.toBuilder().setSnapshotter("native").build()));
        }

        @Override
        public void cleanup(CleanupRequest r, StreamObserver<Empty> out) {
            answer(out, () -> backend().cleanup(r.toBuilder().setSnapshotter("native").build()));
        }
    }
}
