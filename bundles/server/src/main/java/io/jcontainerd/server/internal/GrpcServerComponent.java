package io.jcontainerd.server.internal;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.jcontainerd.plugin.DaemonPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The gRPC whiteboard: every {@link BindableService} registered in the framework is served on the
 * daemon socket, added and removed as bundles come and go. The socket opens once the framework has
 * finished starting, so that the first client sees every plugin that the start-up enabled (containerd
 * likewise registers its services only after initialising all plugins).
 */
@Component(name = "io.jcontainerd.server.grpc", immediate = true)
public class GrpcServerComponent {
    private static final System.Logger LOG = System.getLogger(GrpcServerComponent.class.getName());

    /** Framework properties read besides {@link DaemonPaths#GRPC_ADDRESS}. */
    static final String UID = "jcontainerd.grpc.uid";
    static final String GID = "jcontainerd.grpc.gid";
    static final String MAX_RECV = "jcontainerd.grpc.max_recv_message_size";

    /** How long the socket waits for plugins still activating at start-up. */
    private static final long LOAD_TIMEOUT_MS = 30_000;

    private final ServiceRegistry registry = new ServiceRegistry();
    private final Map<BindableService, ServerServiceDefinition> bound = new ConcurrentHashMap<>();
    private BundleContext context;
    private FrameworkListener startedListener;
    private GrpcServer server;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindService(BindableService service) {
        ServerServiceDefinition def = service.bindService();
        bound.put(service, def);
        registry.add(def);
        LOG.log(System.Logger.Level.DEBUG, "serving {0}", def.getServiceDescriptor().getName());
    }

    void unbindService(BindableService service) {
        ServerServiceDefinition def = bound.remove(service);
        if (def != null) {
            registry.remove(def);
            LOG.log(System.Logger.Level.DEBUG, "stopped serving {0}", def.getServiceDescriptor().getName());
        }
    }

    @Reference
    private PluginRegistry plugins;

    @Activate
    synchronized void activate(BundleContext ctx) throws IOException {
        this.context = ctx;
        if (ctx.getBundle(0).getState() == Bundle.ACTIVE) {
            startServer();
            return;
        }
        startedListener = event -> {
            if (event.getType() == FrameworkEvent.STARTED) {
                Thread t = new Thread(this::startWhenLoaded, "grpc-server-start");
                t.setDaemon(true);
                t.start();
            }
        };
        ctx.addFrameworkListener(startedListener);
    }

    private void startWhenLoaded() {
        try {
            plugins.awaitLoaded(LOAD_TIMEOUT_MS);
            startServer();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "failed to start the gRPC server: " + e.getMessage(), e);
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (startedListener != null) {
            context.removeFrameworkListener(startedListener);
            startedListener = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private synchronized void startServer() throws IOException {
        if (server != null || context == null) {
            return;
        }
        GrpcServer s = new GrpcServer(settings(context), registry);
        s.start();
        server = s;
    }

    static GrpcServer.Settings settings(BundleContext ctx) {
        DaemonPaths paths = DaemonPaths.from(ctx::getProperty);
        return new GrpcServer.Settings(Path.of(paths.grpcAddress()),
                intProperty(ctx, UID, -1), intProperty(ctx, GID, -1),
                intProperty(ctx, MAX_RECV, GrpcServer.Settings.DEFAULT_MAX_MESSAGE_SIZE));
    }

    private static int intProperty(BundleContext ctx, String name, int dflt) {
        String v = ctx.getProperty(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not " + v, e);
        }
    }
}
