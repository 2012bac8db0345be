package io.jcontainerd.images.grpc;

import static io.jcontainerd.server.grpc.GrpcServiceProperties.NONBLOCKING_METHODS;

import com.google.protobuf.Empty;
import containerd.services.images.v1.CreateImageRequest;
import containerd.services.images.v1.CreateImageResponse;
import containerd.services.images.v1.DeleteImageRequest;
import containerd.services.images.v1.GetImageRequest;
import containerd.services.images.v1.GetImageResponse;
import containerd.services.images.v1.ImagesGrpc;
import containerd.services.images.v1.ListImagesRequest;
import containerd.services.images.v1.ListImagesResponse;
import containerd.services.images.v1.UpdateImageRequest;
import containerd.services.images.v1.UpdateImageResponse;
import io.grpc.BindableService;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.images.Image;
import io.jcontainerd.images.ImageService;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.server.grpc.GrpcNamespace;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code io.containerd.grpc.v1.images} plugin: a thin adapter over the images service. */
@Component(name = "io.containerd.grpc.v1.images", enabled = false, immediate = true, service = BindableService.class,
        property = {NONBLOCKING_METHODS + "=Get", NONBLOCKING_METHODS + "=List"})
@Plugin(type = PluginType.GRPC, id = "images")
public class ImagesGrpcPlugin extends ImagesGrpc.ImagesImplBase {
    private final ImageService service;

    @Activate
    public ImagesGrpcPlugin(@Reference(name = "service", target = "(&(plugin.type=" + PluginType.SERVICE
            + ")(plugin.id=images-service))") ImageService service) {
        this.service = service;
    }

    @Override
    public void get(GetImageRequest request, StreamObserver<GetImageResponse> response) {
        Image image = service.get(GrpcNamespace.required(), request.getName());
        response.onNext(GetImageResponse.newBuilder().setImage(ImageProtos.toProto(image)).build());
        response.onCompleted();
    }

    @Override
    public void list(ListImagesRequest request, StreamObserver<ListImagesResponse> response) {
        ListImagesResponse.Builder b = ListImagesResponse.newBuilder();
        for (Image image : service.list(GrpcNamespace.required(), request.getFiltersList())) {
            b.addImages(ImageProtos.toProto(image));
        }
        response.onNext(b.build());
        response.onCompleted();
    }

    @Override
    public void create(CreateImageRequest request, StreamObserver<CreateImageResponse> response) {
        requireName(request.getImage()); // before the namespace, as in containerd
        String namespace = GrpcNamespace.required();
        Image created = service.create(namespace, ImageProtos.fromProto(request.getImage(), true));
        response.onNext(CreateImageResponse.newBuilder().setImage(ImageProtos.toProto(created)).build());
        response.onCompleted();
    }

    @Override
    public void update(UpdateImageRequest request, StreamObserver<UpdateImageResponse> response) {
        requireName(request.getImage()); // before the namespace, as in containerd
        String namespace = GrpcNamespace.required();
        List<String> paths = request.getUpdateMask().getPathsList();
        boolean withTarget = paths.isEmpty() || paths.contains("target");
        Image updated = service.update(namespace, ImageProtos.fromProto(request.getImage(), withTarget), paths);
        response.onNext(UpdateImageResponse.newBuilder().setImage(ImageProtos.toProto(updated)).build());
        response.onCompleted();
    }

    @Override
    public void delete(DeleteImageRequest request, StreamObserver<Empty> response) {
        service.delete(GrpcNamespace.required(), request.getName(), request.getSync());
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }

    /** containerd's service checks the name itself, with a bare status message. */
    private static void requireName(containerd.services.images.v1.Image image) {
        if (image.getName().isEmpty()) {
            throw Status.INVALID_ARGUMENT.withDescription("Image.Name required").asRuntimeException();
        }
    }
}
