package io.jcontainerd.tasks;

import io.jcontainerd.runtime.Exit;
import io.jcontainerd.runtime.ExecOpts;
import io.jcontainerd.runtime.ProcessInfo;
import io.jcontainerd.runtime.ProcessState;
import io.jcontainerd.types.TypedValue;
import java.util.List;
import java.util.Map;

/**
 * The tasks service ({@code io.containerd.service.v1 tasks-service}): tasks of containers, run by the
 * container's runtime. An empty {@code execId} means the task's init process. Events are published
 * by the shims, not here.
 */
public interface TaskService {
    /** Creates the container's task; answers the init pid. */
    int create(String namespace, NewTask request);

    /** Starts the init or an exec process; answers its pid. */
    int start(String namespace, String containerId, String execId);

    /** Deletes a stopped task. */
    Exit delete(String namespace, String containerId);

    /** Deletes an exec process. */
    Exit deleteProcess(String namespace, String containerId, String execId);

    ProcessState get(String namespace, String containerId, String execId);

    /** All tasks of the namespace. */
    List<ProcessState> list(String namespace);

    void kill(String namespace, String containerId, String execId, int signal, boolean all);

    void exec(String namespace, String containerId, String execId, ExecOpts opts);

    void resizePty(String namespace, String containerId, String execId, int width, int height);

    /** Closes stdin of the process when {@code stdin} is set. */
    void closeIO(String namespace, String containerId, String execId, boolean stdin);

    void pause(String namespace, String containerId);

    void resume(String namespace, String containerId);

    List<ProcessInfo> listPids(String namespace, String containerId);

    void update(String namespace, String containerId, TypedValue resources, Map<String, String> annotations);

    /** Statistics of the namespace's tasks matching any of {@code filters} (fields {@code id}, {@code namespace}). */
    List<Metric> metrics(String namespace, List<String> filters);

    /** Blocks until the process has exited; answers at once with the recorded exit if it has. */
    Exit waitExit(String namespace, String containerId, String execId);
}
