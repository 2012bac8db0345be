package io.jcontainerd.introspection.grpc;


import static io.jcontainerd.server.grpc.GrpcServiceProperties.NONBLOCKING_METHODS;
import com.google.protobuf.Empty;
import containerd.services.introspection.v1.IntrospectionGrpc;
import containerd.services.introspection.v1.PluginsRequest;
import containerd.services.introspection.v1.PluginsResponse;
import containerd.services.introspection.v1.ServerResponse;
import containerd.types.Platform;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.introspection.IntrospectionService;
import io.jcontainerd.introspection.PluginInfo;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code io.containerd.grpc.v1.introspection} plugin: a thin adapter over the introspection service. */
@Component(name = "io.containerd.grpc.v1.introspection", enabled = false, immediate = true,
        service = BindableService.class, property = NONBLOCKING_METHODS + "=Plugins")
@Plugin(type = PluginType.GRPC, id = "introspection")
public class IntrospectionGrpcPlugin extends IntrospectionGrpc.IntrospectionImplBase {
    private final IntrospectionService service;

    @Activate
    public IntrospectionGrpcPlugin(@Reference(name = "service", target = "(&(plugin.type=" + PluginType.SERVICE
            + ")(plugin.id=introspection-service))") IntrospectionService service) {
        this.service = service;
    }

    @Override
    public void plugins(PluginsRequest request, StreamObserver<PluginsResponse> response) {
        PluginsResponse.Builder b = PluginsResponse.newBuilder();
        for (PluginInfo p : service.plugins(request.getFiltersList())) {
            b.addPlugins(toProto(p));
        }
        response.onNext(b.build());
        response.onCompleted();
    }

    @Override
    public void server(Empty request, StreamObserver<ServerResponse> response) {
        response.onNext(ServerResponse.newBuilder().setUuid(service.uuid()).build());
        response.onCompleted();
    }

    static containerd.services.introspection.v1.Plugin toProto(PluginInfo p) {
        containerd.services.introspection.v1.Plugin.Builder b = containerd.services.introspection.v1.Plugin.newBuilder()
                .setType(p.type())
                .setId(p.id())
                .addAllRequires(p.requires())
                .putAllExports(p.exports())
                .addAllCapabilities(p.capabilities());
        for (String platform : p.platforms()) {
            String[] parts = platform.split("/", 3);
            Platform.Builder pb = Platform.newBuilder().setOs(parts[0]);
            if (parts.length > 1) {
                pb.setArchitecture(parts[1]);
            }
            if (parts.length > 2) {
                pb.setVariant(parts[2]);
            }
            b.addPlatforms(pb);
        }
        if (p.initError() != null) {
            b.setInitErr(com.google.rpc.Status.newBuilder()
                    .setCode(p.initError().code()).setMessage(p.initError().message()));
        }
        return b.build();
    }
}
