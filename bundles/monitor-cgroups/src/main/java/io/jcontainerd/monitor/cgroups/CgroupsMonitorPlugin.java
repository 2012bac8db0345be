package io.jcontainerd.monitor.cgroups;

import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.runtime.RuntimeTask;
import io.jcontainerd.runtime.TaskMonitor;
import io.prometheus.metrics.model.registry.MultiCollector;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@code io.containerd.monitor.v1.cgroups} plugin: the tasks service's task monitor. Unless
 * {@code no_prometheus} is set, it offers its {@link CgroupsCollector} as a Prometheus
 * {@link MultiCollector} service, which the daemon's metrics endpoint serves. Its requirement is
 * containerd's: the event plugin (containerd's monitor publishes OOM events only for its legacy v1
 * runtime; v2 shims publish their own).
 */
@Component(name = "io.containerd.monitor.v1.cgroups", enabled = false, immediate = true, service = TaskMonitor.class,
        property = Plugin.PLATFORMS + "=" + Plugin.HOST_PLATFORM)
@Plugin(type = PluginType.TASK_MONITOR, id = "cgroups")
@Designate(ocd = CgroupsMonitorPlugin.Config.class)
public class CgroupsMonitorPlugin implements TaskMonitor {
    /** How long a scrape waits for the shims' stats. */
    private static final long STATS_TIMEOUT_MILLIS = 10_000;

    @ObjectClassDefinition(name = "jcontainerd cgroups monitor", description = "io.containerd.monitor.v1.cgroups")
    public @interface Config {
        @AttributeDefinition(description = "Do not export the tasks' cgroup figures as Prometheus metrics")
        boolean no__prometheus() default false; // no_prometheus
    }

    private final ExecutorService executor;
    private final CgroupsCollector collector;
    private final ServiceRegistration<MultiCollector> registration;

    @Activate
    public CgroupsMonitorPlugin(BundleContext context,
            @Reference(name = "events", target = "(plugin.type=" + PluginType.EVENT + ")") EventPublisher events,
            Config config) {
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "cgroups-monitor-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        collector = new CgroupsCollector(executor, STATS_TIMEOUT_MILLIS);
        registration = config.no__prometheus() ? null : context.registerService(MultiCollector.class, collector, null);
    }

    @Override
    public void monitor(RuntimeTask task, Map<String, String> labels) {
        collector.monitor(task, labels);
    }

    @Override
    public void stop(String namespace, String id) {
        collector.stop(namespace, id);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping: the framework took it back
            }
        }
        executor.shutdownNow();
    }
}
