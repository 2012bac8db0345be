package io.jcontainerd.runtime;

import java.util.Map;

/**
 * A task monitor plugin ({@code io.containerd.monitor.v1}, containerd's {@code runtime.TaskMonitor}):
 * the tasks service hands it every task it creates, and the tasks found again after a restart, and
 * takes them back when they are deleted. The cgroups monitor exports their resource usage as metrics.
 */
public interface TaskMonitor {
    /**
     * Starts watching {@code task}; {@code labels} (may be {@code null}) are added to what is reported
     * of it. Watching a task already watched changes nothing.
     */
    void monitor(RuntimeTask task, Map<String, String> labels);

    /** Stops watching the task {@code id} of {@code namespace}. */
    void stop(String namespace, String id);
}
