package io.jcontainerd.namespaces.grpc;


import static io.jcontainerd.server.grpc.GrpcServiceProperties.NONBLOCKING_METHODS;
import com.google.protobuf.Empty;
import containerd.services.namespaces.v1.CreateNamespaceRequest;
import containerd.services.namespaces.v1.CreateNamespaceResponse;
import containerd.services.namespaces.v1.DeleteNamespaceRequest;
import containerd.services.namespaces.v1.GetNamespaceRequest;
import containerd.services.namespaces.v1.GetNamespaceResponse;
import containerd.services.namespaces.v1.ListNamespacesRequest;
import containerd.services.namespaces.v1.ListNamespacesResponse;
import containerd.services.namespaces.v1.NamespacesGrpc;
import containerd.services.namespaces.v1.UpdateNamespaceRequest;
import containerd.services.namespaces.v1.UpdateNamespaceResponse;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.namespaces.Namespace;
import io.jcontainerd.namespaces.NamespaceService;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.server.grpc.GrpcNamespace;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code io.containerd.grpc.v1.namespaces} plugin: {@code containerd.services.namespaces.v1.Namespaces}
 * as a thin adapter; errors thrown by the service are mapped by the server.
 */
@Component(name = "io.containerd.grpc.v1.namespaces", enabled = false, immediate = true,
        service = BindableService.class, property = {NONBLOCKING_METHODS + "=Get", NONBLOCKING_METHODS + "=List"})
@Plugin(type = PluginType.GRPC, id = "namespaces")
public class NamespacesGrpcPlugin extends NamespacesGrpc.NamespacesImplBase {
    private final NamespaceService service;

    @Activate
    public NamespacesGrpcPlugin(@Reference(name = "service", target = "(&(plugin.type=" + PluginType.SERVICE
            + ")(plugin.id=namespaces-service))") NamespaceService service) {
        this.service = service;
    }

    @Override
    public void get(GetNamespaceRequest request, StreamObserver<GetNamespaceResponse> response) {
        Namespace ns = service.get(request.getName());
        response.onNext(GetNamespaceResponse.newBuilder().setNamespace(toProto(ns)).build());
        response.onCompleted();
    }

    @Override
    public void list(ListNamespacesRequest request, StreamObserver<ListNamespacesResponse> response) {
        ListNamespacesResponse.Builder b = ListNamespacesResponse.newBuilder();
        service.list().forEach(ns -> b.addNamespaces(toProto(ns)));
        response.onNext(b.build());
        response.onCompleted();
    }

    @Override
    public void create(CreateNamespaceRequest request, StreamObserver<CreateNamespaceResponse> response) {
        Namespace created = service.create(GrpcNamespace.current(), fromProto(request.getNamespace()));
        response.onNext(CreateNamespaceResponse.newBuilder().setNamespace(toProto(created)).build());
        response.onCompleted();
    }

    @Override
    public void update(UpdateNamespaceRequest request, StreamObserver<UpdateNamespaceResponse> response) {
        service.update(GrpcNamespace.current(), fromProto(request.getNamespace()), request.getUpdateMask().getPathsList());
        // containerd answers an empty response
        response.onNext(UpdateNamespaceResponse.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void delete(DeleteNamespaceRequest request, StreamObserver<Empty> response) {
        service.delete(request.getName());
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }

    static containerd.services.namespaces.v1.Namespace toProto(Namespace ns) {
        return containerd.services.namespaces.v1.Namespace.newBuilder()
                .setName(ns.name()).putAllLabels(ns.labels()).build();
    }

    static Namespace fromProto(containerd.services.namespaces.v1.Namespace ns) {
        return new Namespace(ns.getName(), ns.getLabelsMap());
    }
}
