package io.jcontainerd.tasks.service;

import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.runtime.PlatformRuntime;
import io.jcontainerd.runtime.TaskMonitor;
import io.jcontainerd.tasks.TaskService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@code io.containerd.service.v1.tasks-service} plugin. The event reference mirrors containerd's
 * requirement; v2 shims publish the task events themselves.
 */
@Component(name = "io.containerd.service.v1.tasks-service", enabled = false, immediate = true,
        service = TaskService.class)
@Plugin(type = PluginType.SERVICE, id = "tasks-service")
public class TasksServicePlugin extends LocalTasks {
    @Activate
    public TasksServicePlugin(
            @Reference(name = "events", target = "(plugin.type=" + PluginType.EVENT + ")") EventPublisher events,
            @Reference(name = "runtime", target = "(&(plugin.type=" + PluginType.RUNTIME_V2 + ")(plugin.id=task))")
            PlatformRuntime runtime,
            @Reference(name = "metadata", target = "(plugin.type=" + PluginType.METADATA + ")") MetadataStore db) {
        super(db, runtime);
    }

    /** The task monitor, optional as in containerd: without one, tasks simply go unwatched. */
    @Reference(name = "monitor", target = "(plugin.type=" + PluginType.TASK_MONITOR + ")",
            cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unsetMonitor")
    void setMonitor(TaskMonitor m) {
        monitorWith(m);
    }

    void unsetMonitor(TaskMonitor m) {
        monitorWithout(m);
    }
}
