package io.jcontainerd.version.grpc;


import static io.jcontainerd.server.grpc.GrpcServiceProperties.NONBLOCKING_METHODS;
import com.google.protobuf.Empty;
import containerd.services.version.v1.VersionGrpc;
import containerd.services.version.v1.VersionResponse;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code io.containerd.grpc.v1.version} plugin: jcontainerd's version and the source revision it
 * was built from (with containerd's {@code .m} suffix when the tree had local changes).
 */
@Component(name = "io.containerd.grpc.v1.version", enabled = false, immediate = true,
        service = BindableService.class, property = NONBLOCKING_METHODS + "=Version")
@Plugin(type = PluginType.GRPC, id = "version")
public class VersionGrpcPlugin extends VersionGrpc.VersionImplBase {
    private final VersionResponse version = load();

    static VersionResponse load() {
        Properties p = new Properties();
        try (InputStream in = VersionGrpcPlugin.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String revision = known(p.getProperty("revision"));
        if (!revision.equals("unknown") && "true".equals(p.getProperty("dirty"))) {
            revision = revision + ".m";
        }
        return VersionResponse.newBuilder()
                .setVersion(known(p.getProperty("version")))
                .setRevision(revision)
                .build();
    }

    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value;
    }

    @Override
    public void version(Empty request, StreamObserver<VersionResponse> response) {
        response.onNext(version);
        response.onCompleted();
    }
}
