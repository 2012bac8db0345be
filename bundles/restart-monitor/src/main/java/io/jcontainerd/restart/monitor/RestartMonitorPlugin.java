package io.jcontainerd.restart.monitor;

import io.jcontainerd.containers.ContainerService;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.namespaces.NamespaceService;
import io.jcontainerd.plugin.GoDuration;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.snapshots.Snapshots;
import io.jcontainerd.tasks.TaskService;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@code io.containerd.internal.v1.restart} plugin: every {@code interval} (containerd's default
 * 10s) it brings containers labelled {@code containerd.io/restart.status} to that status (see
 * {@link Reconciler}). Its requirements are containerd's: the event plugin and the service plugins.
 * The first pass comes one interval after activation, by when the runtime has reconnected to the shims
 * that outlived a previous daemon (containerd reconnects before this plugin starts; ours does it in the
 * background, and a task still loading then would only be refused as existing).
 */
@Component(name = "io.containerd.internal.v1.restart", enabled = false, immediate = true, service = {})
@Plugin(type = PluginType.INTERNAL, id = "restart")
@Designate(ocd = RestartMonitorPlugin.Config.class)
public class RestartMonitorPlugin {
    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    @ObjectClassDefinition(name = "jcontainerd restart monitor", description = "io.containerd.internal.v1.restart")
    public @interface Config {
        @AttributeDefinition(description = "Time between two passes (Go duration; 0 means 10s)")
        String interval() default "10s";
    }

    private final ScheduledExecutorService timer;
    private final ExecutorService workers;

    @Activate
    public RestartMonitorPlugin(
            @Reference(name = "events", target = "(plugin.type=" + PluginType.EVENT + ")") EventPublisher events,
            @Reference(name = "service.namespaces", target = "(plugin.type=" + PluginType.SERVICE + ")")
            NamespaceService namespaces,
            @Reference(name = "service.containers", target = "(plugin.type=" + PluginType.SERVICE + ")")
            ContainerService containers,
            @Reference(name = "service.tasks", target = "(plugin.type=" + PluginType.SERVICE + ")") TaskService tasks,
            @Reference(name = "service.snapshots", target = "(plugin.type=" + PluginType.SERVICE + ")") Snapshots snapshots,
            Config config) {
        Duration interval = GoDuration.parse(config.interval());
        if (interval.isZero() || interval.isNegative()) {
            interval = DEFAULT_INTERVAL;
        }
        timer = Executors.newSingleThreadScheduledExecutor(threads("restart-monitor"));
        workers = Executors.newCachedThreadPool(threads("restart-monitor-change"));
        Reconciler reconciler = new Reconciler(namespaces, containers, tasks, snapshots, workers);
        long nanos = interval.toNanos();
        timer.scheduleWithFixedDelay(reconciler::reconcile, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        workers.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
