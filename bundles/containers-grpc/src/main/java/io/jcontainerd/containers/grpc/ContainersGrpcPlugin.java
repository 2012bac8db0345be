package io.jcontainerd.containers.grpc;


import static io.jcontainerd.server.grpc.GrpcServiceProperties.NONBLOCKING_METHODS;
import com.google.protobuf.Empty;
import containerd.services.containers.v1.ContainersGrpc;
import containerd.services.containers.v1.CreateContainerRequest;
import containerd.services.containers.v1.CreateContainerResponse;
import containerd.services.containers.v1.DeleteContainerRequest;
import containerd.services.containers.v1.GetContainerRequest;
import containerd.services.containers.v1.GetContainerResponse;
import containerd.services.containers.v1.ListContainerMessage;
import containerd.services.containers.v1.ListContainersRequest;
import containerd.services.containers.v1.ListContainersResponse;
import containerd.services.containers.v1.UpdateContainerRequest;
import containerd.services.containers.v1.UpdateContainerResponse;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.containers.Container;
import io.jcontainerd.containers.ContainerService;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.server.grpc.GrpcNamespace;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code io.containerd.grpc.v1.containers} plugin: a thin adapter over the containers service. */
@Component(name = "io.containerd.grpc.v1.containers", enabled = false, immediate = true,
        service = BindableService.class, property = {NONBLOCKING_METHODS + "=Get", NONBLOCKING_METHODS + "=List", NONBLOCKING_METHODS + "=ListStream"})
@Plugin(type = PluginType.GRPC, id = "containers")
public class ContainersGrpcPlugin extends ContainersGrpc.ContainersImplBase {
    private final ContainerService service;

    @Activate
    public ContainersGrpcPlugin(@Reference(name = "service", target = "(&(plugin.type=" + PluginType.SERVICE
            + ")(plugin.id=containers-service))") ContainerService service) {
        this.service = service;
    }

    @Override
    public void get(GetContainerRequest request, StreamObserver<GetContainerResponse> response) {
        Container c = service.get(GrpcNamespace.required(), request.getId());
        response.onNext(GetContainerResponse.newBuilder().setContainer(ContainerProtos.toProto(c)).build());
        response.onCompleted();
    }

    @Override
    public void list(ListContainersRequest request, StreamObserver<ListContainersResponse> response) {
        ListContainersResponse.Builder b = ListContainersResponse.newBuilder();
        for (Container c : service.list(GrpcNamespace.required(), request.getFiltersList())) {
            b.addContainers(ContainerProtos.toProto(c));
        }
        response.onNext(b.build());
        response.onCompleted();
    }

    @Override
    public void listStream(ListContainersRequest request, StreamObserver<ListContainerMessage> response) {
        for (Container c : service.list(GrpcNamespace.required(), request.getFiltersList())) {
            response.onNext(ListContainerMessage.newBuilder().setContainer(ContainerProtos.toProto(c)).build());
        }
        response.onCompleted();
    }

    @Override
    public void create(CreateContainerRequest request, StreamObserver<CreateContainerResponse> response) {
        Container c = service.create(GrpcNamespace.required(), ContainerProtos.fromProto(request.getContainer()));
        response.onNext(CreateContainerResponse.newBuilder().setContainer(ContainerProtos.toProto(c)).build());
        response.onCompleted();
    }

    @Override
    public void update(UpdateContainerRequest request, StreamObserver<UpdateContainerResponse> response) {
        Container c = service.update(GrpcNamespace.required(), ContainerProtos.fromProto(request.getContainer()),
                request.getUpdateMask().getPathsList());
        response.onNext(UpdateContainerResponse.newBuilder().setContainer(ContainerProtos.toProto(c)).build());
        response.onCompleted();
    }

    @Override
    public void delete(DeleteContainerRequest request, StreamObserver<Empty> response) {
        service.delete(GrpcNamespace.required(), request.getId());
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }
}
