package io.jcontainerd.tasks.service;

import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.runtime.ExecOpts;
import io.jcontainerd.runtime.Exit;
import io.jcontainerd.runtime.PlatformRuntime;
import io.jcontainerd.runtime.ProcessInfo;
import io.jcontainerd.runtime.ProcessState;
import io.jcontainerd.tasks.Metric;
import io.jcontainerd.tasks.NewTask;
import io.jcontainerd.tasks.TaskService;
import io.jcontainerd.types.TypedValue;
import java.util.List;
import java.util.Map;
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
public class TasksServicePlugin implements TaskService {
    private final LocalTasks local;

    @Activate
    public TasksServicePlugin(
            @Reference(name = "events", target = "(plugin.type=" + PluginType.EVENT + ")") EventPublisher events,
            @Reference(name = "runtime", target = "(&(plugin.type=" + PluginType.RUNTIME_V2 + ")(plugin.id=task))")
            PlatformRuntime runtime,
            @Reference(name = "metadata", target = "(plugin.type=" + PluginType.METADATA + ")") MetadataStore db) {
        this.local = new LocalTasks(db, runtime);
    }

    @Override
    public int create(String namespace, NewTask request) {
        return local.create(namespace, request);
    }

    @Override
    public int start(String namespace, String containerId, String execId) {
        return local.start(namespace, containerId, execId);
    }

    @Override
    public Exit delete(String namespace, String containerId) {
        return local.delete(namespace, containerId);
    }

    @Override
    public Exit deleteProcess(String namespace, String containerId, String execId) {
        return local.deleteProcess(namespace, containerId, execId);
    }

    @Override
    public ProcessState get(String namespace, String containerId, String execId) {
        return local.get(namespace, containerId, execId);
    }

    @Override
    public List<ProcessState> list(String namespace) {
        return local.list(namespace);
    }

    @Override
    public void kill(String namespace, String containerId, String execId, int signal, boolean all) {
        local.kill(namespace, containerId, execId, signal, all);
    }

    @Override
    public void exec(String namespace, String containerId, String execId, ExecOpts opts) {
        local.exec(namespace, containerId, execId, opts);
    }

    @Override
    public void resizePty(String namespace, String containerId, String execId, int width, int height) {
        local.resizePty(namespace, containerId, execId, width, height);
    }

    @Override
    public void closeIO(String namespace, String containerId, String execId, boolean stdin) {
        local.closeIO(namespace, containerId, execId, stdin);
    }

    @Override
    public void pause(String namespace, String containerId) {
        local.pause(namespace, containerId);
    }

    @Override
    public void resume(String namespace, String containerId) {
        local.resume(namespace, containerId);
    }

    @Override
    public List<ProcessInfo> listPids(String namespace, String containerId) {
        return local.listPids(namespace, containerId);
    }

    @Override
    public void update(String namespace, String containerId, TypedValue resources, Map<String, String> annotations) {
        local.update(namespace, containerId, resources, annotations);
    }

    @Override
    public List<Metric> metrics(String namespace, List<String> filters) {
        return local.metrics(namespace, filters);
    }

    @Override
    public Exit waitExit(String namespace, String containerId, String execId) {
        return local.waitExit(namespace, containerId, execId);
    }
}
