package io.jcontainerd.snapshots.grpc;

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
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.server.grpc.GrpcLease;
import io.jcontainerd.server.grpc.GrpcNamespace;
import io.jcontainerd.snapshots.SnapshotInfo;
import io.jcontainerd.snapshots.Snapshots;
import io.jcontainerd.snapshots.Usage;
import io.jcontainerd.snapshots.grpc.wire.SnapshotProtos;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code io.containerd.grpc.v1.snapshots} plugin: a thin adapter over the snapshots service. */
@Component(name = "io.containerd.grpc.v1.snapshots", enabled = false, immediate = true, service = BindableService.class)
@Plugin(type = PluginType.GRPC, id = "snapshots")
public class SnapshotsGrpcPlugin extends SnapshotsGrpc.SnapshotsImplBase {
    /** Infos per List message, as containerd sends them. */
    private static final int LIST_BLOCK = 100;

    private final Snapshots service;

    @Activate
    public SnapshotsGrpcPlugin(@Reference(name = "service", target = "(&(plugin.type=" + PluginType.SERVICE
            + ")(plugin.id=snapshots-service))") Snapshots service) {
        this.service = service;
    }

    @Override
    public void prepare(PrepareSnapshotRequest r, StreamObserver<PrepareSnapshotResponse> response) {
        var mounts = service.prepare(GrpcNamespace.required(), GrpcLease.current(), r.getSnapshotter(), r.getKey(),
                r.getParent(), r.getLabelsMap());
        response.onNext(PrepareSnapshotResponse.newBuilder().addAllMounts(SnapshotProtos.mounts(mounts)).build());
        response.onCompleted();
    }

    @Override
    public void view(ViewSnapshotRequest r, StreamObserver<ViewSnapshotResponse> response) {
        var mounts = service.view(GrpcNamespace.required(), GrpcLease.current(), r.getSnapshotter(), r.getKey(),
                r.getParent(), r.getLabelsMap());
        response.onNext(ViewSnapshotResponse.newBuilder().addAllMounts(SnapshotProtos.mounts(mounts)).build());
        response.onCompleted();
    }

    @Override
    public void mounts(MountsRequest r, StreamObserver<MountsResponse> response) {
        var mounts = service.mounts(GrpcNamespace.required(), r.getSnapshotter(), r.getKey());
        response.onNext(MountsResponse.newBuilder().addAllMounts(SnapshotProtos.mounts(mounts)).build());
        response.onCompleted();
    }

    @Override
    public void commit(CommitSnapshotRequest r, StreamObserver<Empty> response) {
        service.commit(GrpcNamespace.required(), GrpcLease.current(), r.getSnapshotter(), r.getName(), r.getKey(),
                r.getLabelsMap());
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void remove(RemoveSnapshotRequest r, StreamObserver<Empty> response) {
        service.remove(GrpcNamespace.required(), r.getSnapshotter(), r.getKey());
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void stat(StatSnapshotRequest r, StreamObserver<StatSnapshotResponse> response) {
        SnapshotInfo info = service.stat(GrpcNamespace.required(), r.getSnapshotter(), r.getKey());
        response.onNext(StatSnapshotResponse.newBuilder().setInfo(SnapshotProtos.info(info)).build());
        response.onCompleted();
    }

    @Override
    public void update(UpdateSnapshotRequest r, StreamObserver<UpdateSnapshotResponse> response) {
        SnapshotInfo info = service.update(GrpcNamespace.required(), r.getSnapshotter(), SnapshotProtos.info(r.getInfo()),
                r.getUpdateMask().getPathsList());
        response.onNext(UpdateSnapshotResponse.newBuilder().setInfo(SnapshotProtos.info(info)).build());
        response.onCompleted();
    }

    @Override
    public void list(ListSnapshotsRequest r, StreamObserver<ListSnapshotsResponse> response) {
        String namespace = GrpcNamespace.required();
        Filter filter;
        try {
            filter = Filters.parseAny(r.getFiltersList());
        } catch (ContainerdException e) {
            // containerd's List returns the walk's error without mapping it: clients see Unknown
            throw new ContainerdException(ErrorCode.UNKNOWN, e.getMessage(), e);
        }
        List<SnapshotInfo> all = service.list(namespace, r.getSnapshotter(), filter);
        ListSnapshotsResponse.Builder block = ListSnapshotsResponse.newBuilder();
        for (SnapshotInfo i : all) {
            block.addInfo(SnapshotProtos.info(i));
            if (block.getInfoCount() >= LIST_BLOCK) {
                response.onNext(block.build());
                block = ListSnapshotsResponse.newBuilder();
            }
        }
        if (block.getInfoCount() > 0) {
            response.onNext(block.build());
        }
        response.onCompleted();
    }

    @Override
    public void usage(UsageRequest r, StreamObserver<UsageResponse> response) {
        Usage u = service.usage(GrpcNamespace.required(), r.getSnapshotter(), r.getKey());
        response.onNext(UsageResponse.newBuilder().setSize(u.size()).setInodes(u.inodes()).build());
        response.onCompleted();
    }

    @Override
    public void cleanup(CleanupRequest r, StreamObserver<Empty> response) {
        service.cleanup(GrpcNamespace.required(), r.getSnapshotter());
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }
}
