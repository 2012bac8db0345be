package io.jcontainerd.server.internal;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.jcontainerd.introspection.IntrospectionService;
import io.jcontainerd.plugin.DaemonFatal;
import io.jcontainerd.plugin.DaemonPaths;
import java.io.IOException;
import java.nio.file.Path;
import io.jcontainerd.server.grpc.GrpcServiceProperties;
import io.prometheus.metrics.model.registry.MultiCollector;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.FrameworkStartLevel;
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
    /** Framework property: {@code [metrics] grpc_histogram}, the gRPC handling-time histogram. */
    static final String GRPC_HISTOGRAM = "jcontainerd.metrics.grpc_histogram";

    /** How long the socket waits for plugins still activating at start-up. */
    private static final long LOAD_TIMEOUT_MS = 30_000;

    private final ServiceRegistry registry = new ServiceRegistry();
    private final GrpcMetrics metrics = new GrpcMetrics();
    private ServiceRegistration<MultiCollector> metricsRegistration;
    private final Map<BindableService, ServerServiceDefinition> bound = new ConcurrentHashMap<>();
    private BundleContext context;
    private FrameworkListener startedListener;
    private GrpcServer server;
    private Thread starter;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindService(BindableService service, Map<String, Object> properties) {
        ServerServiceDefinition def = service.bindService();
        bound.put(service, def);
        registry.add(def, nonBlocking(properties.get(GrpcServiceProperties.NONBLOCKING_METHODS)));
        metrics.register(def);
        LOG.log(System.Logger.Level.DEBUG, "serving {0}", def.getServiceDescriptor().getName());
    }

    void unbindService(BindableService service) {
        ServerServiceDefinition def = bound.remove(service);
        if (def != null) {
            registry.remove(def);
            LOG.log(System.Logger.Level.DEBUG, "stopped serving {0}", def.getServiceDescriptor().getName());
        }
    }

    private static Set<String> nonBlocking(Object property) {
        if (property instanceof String s) {
            return Set.of(s);
        }
        if (property instanceof String[] a) {
            return Set.of(a);
        }
        return Set.of();
    }

    @Reference
    private PluginRegistry plugins;

    @Activate
    synchronized void activate(BundleContext ctx) {
        this.context = ctx;
        this.server = new GrpcServer(settings(ctx), registry, metrics);
        if (Boolean.parseBoolean(ctx.getProperty(GRPC_HISTOGRAM))) {
            metrics.enableHistogram();
        }
        metricsRegistration = ctx.registerService(MultiCollector.class, metrics, null);
        CountDownLatch frameworkStarted = new CountDownLatch(1);
        startedListener = event -> {
            if (event.getType() == FrameworkEvent.STARTED) {
                frameworkStarted.countDown();
            }
        };
        ctx.addFrameworkListener(startedListener);
        if (frameworkHasStarted(ctx)) {
            frameworkStarted.countDown(); // this bundle was restarted in a running daemon
        }
        GrpcServer s = server;
        starter = new Thread(() -> serveWhenReady(s, frameworkStarted), "grpc-server-start");
        starter.setDaemon(true);
        starter.start();
    }

    /**
     * True once the framework has reached its beginning start level. (Felix marks the system bundle
     * active before it raises the start level, so its state alone does not tell.)
     */
    private static boolean frameworkHasStarted(BundleContext ctx) {
        Bundle system = ctx.getBundle(0);
        String beginning = ctx.getProperty(Constants.FRAMEWORK_BEGINNING_STARTLEVEL);
        int target = beginning == null || beginning.isBlank() ? 1 : Integer.parseInt(beginning.trim());
        return system.getState() == Bundle.ACTIVE && system.adapt(FrameworkStartLevel.class).getStartLevel() >= target;
    }

    /** Prepares the transport at once, then opens the socket when the framework and plugins are up. */
    private void serveWhenReady(GrpcServer s, CountDownLatch frameworkStarted) {
        try {
            s.prepare();
            frameworkStarted.await();
            plugins.awaitLoaded(LOAD_TIMEOUT_MS);
            String problem = requiredProblem();
            if (problem != null) {
                fatal(problem);
                return;
            }
            synchronized (this) {
                // a bundle may have ended the daemon meanwhile (the launcher is stopping the framework)
                if (server == s && context.getBundle(0).getState() != Bundle.STOPPING) {
                    s.start();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "failed to start the gRPC server: " + e.getMessage(), e);
        }
    }

    /** Why the daemon must not serve for its {@code required_plugins}, or null. */
    private String requiredProblem() {
        List<String> required = PluginRegistry.parseList(context.getProperty(RequiredPlugins.PROPERTY));
        if (required.isEmpty()) {
            return null;
        }
        ServiceReference<IntrospectionService> ref = context.getServiceReference(IntrospectionService.class);
        IntrospectionService introspection = ref == null ? null : context.getService(ref);
        if (introspection == null) {
            return "required plugins cannot be checked: io.containerd.service.v1.introspection-service is not loaded";
        }
        try {
            return RequiredPlugins.problem(required, introspection.plugins(List.of()));
        } finally {
            context.ungetService(ref);
        }
    }

    /** Hands the reason to whoever registered to hear it (the launcher, which exits 1); the socket stays shut. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void fatal(String reason) {
        DaemonFatal.end(context, reason);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        GrpcServer s;
        Thread t;
        synchronized (this) {
            context.removeFrameworkListener(startedListener);
            s = server;
            t = starter;
            server = null;
        }
        t.interrupt();
        t.join(5_000);
        s.close();
        try {
            metricsRegistration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping: the framework took it back
        }
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
