package io.jcontainerd.healthcheck.grpc;


import static io.jcontainerd.server.grpc.GrpcServiceProperties.NONBLOCKING_METHODS;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The {@code io.containerd.grpc.v1.healthcheck} plugin: {@code grpc.health.v1.Health} answering
 * SERVING for the server ("") while the daemon runs. dockerd polls it after losing its event stream.
 */
@Component(name = "io.containerd.grpc.v1.healthcheck", enabled = false, immediate = true,
        service = BindableService.class, property = NONBLOCKING_METHODS + "=Check")
@Plugin(type = PluginType.GRPC, id = "healthcheck")
public class HealthGrpcPlugin implements BindableService {
    private final HealthStatusManager health = new HealthStatusManager();

    public HealthGrpcPlugin() {
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    }

    @Override
    public ServerServiceDefinition bindService() {
        return health.getHealthService().bindService();
    }

    @Deactivate
    void deactivate() {
        health.enterTerminalState();
    }
}
