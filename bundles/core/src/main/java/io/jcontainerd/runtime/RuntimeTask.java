package io.jcontainerd.runtime;

import io.jcontainerd.types.TypedValue;
import java.util.List;
import java.util.Map;

/** A task: a container's init process run by a runtime, with the operations on the whole task. */
public interface RuntimeTask extends RuntimeProcess {
    /** The namespace the task lives in. */
    String namespace();

    /** The init process's pid. */
    int pid();

    void pause();

    void resume();

    /** Adds a process (not yet started) with id {@code execId}. */
    RuntimeProcess exec(String execId, ExecOpts opts);

    /** The added process {@code execId}; NotFound if there is none. */
    RuntimeProcess process(String execId);

    /** The task's processes. */
    List<ProcessInfo> pids();

    /** Updates the task's resources (an encoded {@code LinuxResources}) and annotations. */
    void update(TypedValue resources, Map<String, String> annotations);

    /** The task's cgroup statistics ({@code io.containerd.cgroups.v1.Metrics} or v2). */
    TypedValue stats();
}
