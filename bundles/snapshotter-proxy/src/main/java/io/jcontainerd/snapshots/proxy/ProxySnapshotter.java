package io.jcontainerd.snapshots.proxy;

import com.google.protobuf.FieldMask;
import containerd.services.snapshots.v1.CleanupRequest;
import containerd.services.snapshots.v1.CommitSnapshotRequest;
import containerd.services.snapshots.v1.ListSnapshotsRequest;
import containerd.services.snapshots.v1.MountsRequest;
import containerd.services.snapshots.v1.PrepareSnapshotRequest;
import containerd.services.snapshots.v1.RemoveSnapshotRequest;
import containerd.services.snapshots.v1.SnapshotsGrpc;
import containerd.services.snapshots.v1.StatSnapshotRequest;
import containerd.services.snapshots.v1.UpdateSnapshotRequest;
import containerd.services.snapshots.v1.UsageRequest;
import containerd.services.snapshots.v1.UsageResponse;
import containerd.services.snapshots.v1.ViewSnapshotRequest;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.snapshots.SnapshotInfo;
import io.jcontainerd.snapshots.Snapshotter;
import io.jcontainerd.snapshots.Usage;
import io.jcontainerd.snapshots.grpc.wire.SnapshotProtos;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A snapshotter served by another process over containerd's snapshots API (containerd's snapshot
 * proxy): every call names the snapshotter by the proxy's name and, made on behalf of a request,
 * carries that request's namespace header. Errors come back with the code the other process gave.
 */
class ProxySnapshotter implements Snapshotter {
    private static final Metadata.Key<String> NAMESPACE = Metadata.Key.of("containerd-namespace",
            Metadata.ASCII_STRING_MARSHALLER);

    private final String name;
    private final Channel channel;
    private final SnapshotsGrpc.SnapshotsBlockingStub stub;

    ProxySnapshotter(String name, Channel channel) {
        this(name, channel, SnapshotsGrpc.newBlockingStub(channel));
    }

    private ProxySnapshotter(String name, Channel channel, SnapshotsGrpc.SnapshotsBlockingStub stub) {
        this.name = name;
        this.channel = channel;
        this.stub = stub;
    }

    @Override
    public Snapshotter namespaced(String namespace) {
        Metadata headers = new Metadata();
        headers.put(NAMESPACE, namespace);
        return new ProxySnapshotter(name, channel,
                SnapshotsGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)));
    }

    @Override
    public SnapshotInfo stat(String key) {
        return call(() -> SnapshotProtos.info(stub.stat(StatSnapshotRequest.newBuilder().setSnapshotter(name)
                .setKey(key).build()).getInfo()));
    }

    @Override
    public SnapshotInfo update(SnapshotInfo info, List<String> fieldPaths) {
        return call(() -> SnapshotProtos.info(stub.update(UpdateSnapshotRequest.newBuilder().setSnapshotter(name)
                .setInfo(SnapshotProtos.info(info)).setUpdateMask(FieldMask.newBuilder().addAllPaths(fieldPaths))
                .build()).getInfo()));
    }

    @Override
    public Usage usage(String key) {
        return call(() -> {
            UsageResponse r = stub.usage(UsageRequest.newBuilder().setSnapshotter(name).setKey(key).build());
            return new Usage(r.getSize(), r.getInodes());
        });
    }

    @Override
    public List<Mount> mounts(String key) {
        return call(() -> SnapshotProtos.mounts(stub.mounts(MountsRequest.newBuilder().setSnapshotter(name)
                .setKey(key).build()).getMountsList()));
    }

    @Override
    public List<Mount> prepare(String key, String parent, Map<String, String> labels) {
        return call(() -> SnapshotProtos.mounts(stub.prepare(PrepareSnapshotRequest.newBuilder().setSnapshotter(name)
                .setKey(key).setParent(parent == null ? "" : parent).putAllLabels(labels).build()).getMountsList()));
    }

    @Override
    public List<Mount> view(String key, String parent, Map<String, String> labels) {
        return call(() -> SnapshotProtos.mounts(stub.view(ViewSnapshotRequest.newBuilder().setSnapshotter(name)
                .setKey(key).setParent(parent == null ? "" : parent).putAllLabels(labels).build()).getMountsList()));
    }

    @Override
    public void commit(String commitName, String key, Map<String, String> labels) {
        call(() -> stub.commit(CommitSnapshotRequest.newBuilder().setSnapshotter(name).setName(commitName)
                .setKey(key).putAllLabels(labels).build()));
    }

    @Override
    public void remove(String key) {
        call(() -> stub.remove(RemoveSnapshotRequest.newBuilder().setSnapshotter(name).setKey(key).build()));
    }

    @Override
    public void walk(Consumer<SnapshotInfo> visitor) {
        call(() -> {
            stub.list(ListSnapshotsRequest.newBuilder().setSnapshotter(name).build())
                    .forEachRemaining(r -> r.getInfoList().forEach(i -> visitor.accept(SnapshotProtos.info(i))));
            return null;
        });
    }

    @Override
    public void cleanup() {
        call(() -> stub.cleanup(CleanupRequest.newBuilder().setSnapshotter(name).build()));
    }

    private static <T> T call(Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            throw Errdefs.fromGrpc(e.getStatus().getCode().value(), e.getStatus().getDescription(), e);
        }
    }
}
