package io.jcontainerd.leases.grpc;


import static io.jcontainerd.server.grpc.GrpcServiceProperties.NONBLOCKING_METHODS;
import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import containerd.services.leases.v1.AddResourceRequest;
import containerd.services.leases.v1.CreateRequest;
import containerd.services.leases.v1.CreateResponse;
import containerd.services.leases.v1.DeleteRequest;
import containerd.services.leases.v1.DeleteResourceRequest;
import containerd.services.leases.v1.LeasesGrpc;
import containerd.services.leases.v1.ListRequest;
import containerd.services.leases.v1.ListResourcesRequest;
import containerd.services.leases.v1.ListResourcesResponse;
import containerd.services.leases.v1.ListResponse;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.leases.Lease;
import io.jcontainerd.leases.LeaseService;
import io.jcontainerd.leases.Resource;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.server.grpc.GrpcNamespace;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code io.containerd.grpc.v1.leases} plugin: a thin adapter over the leases service. */
@Component(name = "io.containerd.grpc.v1.leases", enabled = false, immediate = true, service = BindableService.class,
        property = {NONBLOCKING_METHODS + "=List", NONBLOCKING_METHODS + "=ListResources"})
@Plugin(type = PluginType.GRPC, id = "leases")
public class LeasesGrpcPlugin extends LeasesGrpc.LeasesImplBase {
    private final LeaseService service;

    @Activate
    public LeasesGrpcPlugin(@Reference(name = "service", target = "(&(plugin.type=" + PluginType.SERVICE
            + ")(plugin.id=leases-service))") LeaseService service) {
        this.service = service;
    }

    @Override
    public void create(CreateRequest request, StreamObserver<CreateResponse> response) {
        Lease l = service.create(GrpcNamespace.required(), request.getId(), request.getLabelsMap());
        response.onNext(CreateResponse.newBuilder().setLease(toProto(l)).build());
        response.onCompleted();
    }

    @Override
    public void delete(DeleteRequest request, StreamObserver<Empty> response) {
        service.delete(GrpcNamespace.required(), request.getId(), request.getSync());
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void list(ListRequest request, StreamObserver<ListResponse> response) {
        ListResponse.Builder b = ListResponse.newBuilder();
        service.list(GrpcNamespace.required(), request.getFiltersList()).forEach(l -> b.addLeases(toProto(l)));
        response.onNext(b.build());
        response.onCompleted();
    }

    @Override
    public void addResource(AddResourceRequest request, StreamObserver<Empty> response) {
        service.addResource(GrpcNamespace.required(), request.getId(),
                new Resource(request.getResource().getId(), request.getResource().getType()));
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void deleteResource(DeleteResourceRequest request, StreamObserver<Empty> response) {
        service.deleteResource(GrpcNamespace.required(), request.getId(),
                new Resource(request.getResource().getId(), request.getResource().getType()));
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void listResources(ListResourcesRequest request, StreamObserver<ListResourcesResponse> response) {
        ListResourcesResponse.Builder b = ListResourcesResponse.newBuilder();
        for (Resource r : service.listResources(GrpcNamespace.required(), request.getId())) {
            b.addResources(containerd.services.leases.v1.Resource.newBuilder().setId(r.id()).setType(r.type()));
        }
        response.onNext(b.build());
        response.onCompleted();
    }

    static containerd.services.leases.v1.Lease toProto(Lease l) {
        containerd.services.leases.v1.Lease.Builder b = containerd.services.leases.v1.Lease.newBuilder()
                .setId(l.id()).putAllLabels(l.labels());
        if (l.createdAt() != null) {
            b.setCreatedAt(Timestamp.newBuilder().setSeconds(l.createdAt().getEpochSecond()).setNanos(l.createdAt().getNano()));
        }
        return b.build();
    }
}
