package io.jcontainerd.runtime.v2;

import containerd.task.v2.WaitResponse;
import io.jcontainerd.runtime.Exit;
import io.jcontainerd.runtime.ProcessState;
import io.jcontainerd.runtime.RuntimeProcess;

/** A process added to a shim task by exec, addressed by its exec id on the task's connection. */
final class ShimExec implements RuntimeProcess {
    private final ShimTask task;
    private final String execId;

    ShimExec(ShimTask task, String execId) {
        this.task = task;
        this.execId = execId;
    }

    @Override
    public String id() {
        return execId;
    }

    @Override
    public ProcessState state() {
        return task.state(execId, null);
    }

    @Override
    public int start() {
        return task.start(execId);
    }

    @Override
    public void kill(int signal, boolean all) {
        task.kill(execId, signal, false);
    }

    @Override
    public void resizePty(int width, int height) {
        task.resizePty(execId, width, height);
    }

    @Override
    public void closeIO() {
        task.closeIO(execId);
    }

    @Override
    public Exit waitExit() {
        WaitResponse r = task.waitProcess(execId);
        return new Exit(0, r.getExitStatus(), Protos.instant(r.getExitedAt()));
    }

    @Override
    public Exit delete() {
        return task.deleteProcess(execId);
    }
}
