package io.jcontainerd.tasks.service;

import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.runtime.PlatformRuntime;
import io.jcontainerd.tasks.TaskService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

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
}
