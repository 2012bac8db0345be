package io.jcontainerd.diff.grpc;

import containerd.services.diff.v1.ApplyRequest;
import containerd.services.diff.v1.ApplyResponse;
import containerd.services.diff.v1.DiffGrpc;
import containerd.services.diff.v1.DiffRequest;
import containerd.services.diff.v1.DiffResponse;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.diff.Differ;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.server.grpc.GrpcLease;
import io.jcontainerd.server.grpc.GrpcNamespace;
import java.util.HashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code io.containerd.grpc.v1.diff} plugin: {@code containerd.services.diff.v1.Diff} over the
 * diff service, which tries the configured differs in order.
 */
@Component(name = "io.containerd.grpc.v1.diff", enabled = false, immediate = true, service = BindableService.class)
@Plugin(type = PluginType.GRPC, id = "diff")
public class DiffGrpcPlugin extends DiffGrpc.DiffImplBase {
    private final Differ differ;

    @Activate
    public DiffGrpcPlugin(@Reference(name = "service", target = "(&(plugin.type=" + PluginType.SERVICE
            + ")(plugin.id=diff-service))") Differ differ) {
        this.differ = differ;
    }

    @Override
    public void apply(ApplyRequest request, StreamObserver<ApplyResponse> response) {
        String ns = GrpcNamespace.required();
        Map<String, byte[]> payloads = new HashMap<>();
        request.getPayloadsMap().forEach((k, v) -> payloads.put(k, v.toByteArray()));
        Descriptor applied = differ.apply(ns, DiffProtos.descriptor(request.getDiff()),
                DiffProtos.mounts(request.getMountsList()), payloads);
        response.onNext(ApplyResponse.newBuilder().setApplied(DiffProtos.toProto(applied)).build());
        response.onCompleted();
    }

    @Override
    public void diff(DiffRequest request, StreamObserver<DiffResponse> response) {
        String ns = GrpcNamespace.required();
        Descriptor d = differ.compare(ns, GrpcLease.current(), DiffProtos.mounts(request.getLeftList()),
                DiffProtos.mounts(request.getRightList()), request.getMediaType(), request.getRef(),
                request.getLabelsMap());
        response.onNext(DiffResponse.newBuilder().setDiff(DiffProtos.toProto(d)).build());
        response.onCompleted();
    }
}
