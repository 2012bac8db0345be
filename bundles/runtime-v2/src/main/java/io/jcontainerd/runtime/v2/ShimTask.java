package io.jcontainerd.runtime.v2;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import containerd.task.v2.CloseIORequest;
import containerd.task.v2.ConnectRequest;
import containerd.task.v2.ConnectResponse;
import containerd.task.v2.CreateTaskRequest;
import containerd.task.v2.CreateTaskResponse;
import containerd.task.v2.DeleteRequest;
import containerd.task.v2.DeleteResponse;
import containerd.task.v2.ExecProcessRequest;
import containerd.task.v2.KillRequest;
import containerd.task.v2.PauseRequest;
import containerd.task.v2.PidsRequest;
import containerd.task.v2.PidsResponse;
import containerd.task.v2.ResizePtyRequest;
import containerd.task.v2.ResumeRequest;
import containerd.task.v2.ShutdownRequest;
import containerd.task.v2.StartRequest;
import containerd.task.v2.StartResponse;
import containerd.task.v2.StateRequest;
import containerd.task.v2.StateResponse;
import containerd.task.v2.StatsRequest;
import containerd.task.v2.StatsResponse;
import containerd.task.v2.UpdateTaskRequest;
import containerd.task.v2.WaitRequest;
import containerd.task.v2.WaitResponse;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.identifiers.Identifiers;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.runtime.Exit;
import io.jcontainerd.runtime.ExecOpts;
import io.jcontainerd.runtime.ProcessInfo;
import io.jcontainerd.runtime.ProcessState;
import io.jcontainerd.runtime.RuntimeProcess;
import io.jcontainerd.runtime.RuntimeTask;
import io.jcontainerd.runtime.TaskIO;
import io.jcontainerd.ttrpc.CallOptions;
import io.jcontainerd.ttrpc.TtrpcClient;
import io.jcontainerd.ttrpc.TtrpcClosedException;
import io.jcontainerd.ttrpc.TtrpcException;
import io.jcontainerd.types.TypedValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A task run by a v2 shim: every operation is one {@code containerd.task.v2.Task} call on the shim's
 * ttrpc connection, carrying the namespace in {@code containerd-namespace-ttrpc}.
 */
final class ShimTask implements RuntimeTask {
    static final String SERVICE = "containerd.task.v2.Task";
    final Bundle bundle;
    final ShimBinary binary;
    final TtrpcClient client;
    private final CallOptions options;
    /** The bound on state queries for Get and List ({@code io.containerd.timeout.task.state}). */
    private final Duration stateTimeout;
    /** The task's pid once known (from its Create, else the first Connect); it never changes. */
    private volatile int pid;

    ShimTask(Bundle bundle, ShimBinary binary, TtrpcClient client, Duration stateTimeout) {
        this.stateTimeout = stateTimeout;
        this.bundle = bundle;
        this.binary = binary;
        this.client = client;
        this.options = CallOptions.NONE.withMetadata("containerd-namespace-ttrpc", bundle.namespace());
    }

    <R> R call(String method, MessageLite request, Parser<R> parser, Duration timeout) {
        try {
            return client.call(SERVICE, method, request, parser, timeout == null ? options : options.withTimeout(timeout));
        } catch (TtrpcClosedException e) {
            // containerd reads the closed connection through errdefs.FromGRPC too: of its unknown class
            throw new ContainerdException(ErrorCode.UNKNOWN, "ttrpc: closed: unknown", e);
        } catch (TtrpcException e) {
            throw e.toContainerdException();
        }
    }

    @Override
    public String id() {
        return bundle.id();
    }

    @Override
    public String namespace() {
        return bundle.namespace();
    }

    /** Creates the task in the shim (the shim mounts {@code rootfs} on the bundle's rootfs). */
    void create(List<Mount> rootfs, TaskIO io, String checkpoint, TypedValue options) {
        CreateTaskRequest.Builder b = CreateTaskRequest.newBuilder().setId(id()).setBundle(bundle.path().toString())
                .setStdin(io.stdin()).setStdout(io.stdout()).setStderr(io.stderr()).setTerminal(io.terminal())
                .setCheckpoint(checkpoint);
        rootfs.forEach(m -> b.addRootfs(Protos.mount(m)));
        if (options != null) {
            b.setOptions(Protos.any(options));
        }
        pid = call("Create", b.build(), CreateTaskResponse.parser(), null).getPid();
    }

    /** The shim's {@code Connect}: its own pid and the task's. */
    ConnectResponse connect(Duration timeout) {
        return call("Connect", ConnectRequest.newBuilder().setId(id()).build(), ConnectResponse.parser(), timeout);
    }

    @Override
    public int pid() {
        int p = pid;
        if (p == 0) {
            p = connect(null).getTaskPid();
            pid = p;
        }
        return p;
    }

    @Override
    public ProcessState state() {
        return state("", stateTimeout);
    }

    ProcessState state(String execId, Duration timeout) {
        try {
            StateResponse r = client.call(SERVICE, "State", StateRequest.newBuilder().setId(id()).setExecId(execId)
                    .build(), StateResponse.parser(), timeout == null ? options : options.withTimeout(timeout));
            return Protos.state(execId.isEmpty() ? id() : execId, r);
        } catch (TtrpcClosedException e) {
            throw new ContainerdException(ErrorCode.NOT_FOUND, "", e);
        } catch (TtrpcException e) {
            throw e.toContainerdException();
        }
    }

    @Override
    public int start() {
        return start("");
    }

    int start(String execId) {
        return call("Start", StartRequest.newBuilder().setId(id()).setExecId(execId).build(),
                StartResponse.parser(), null).getPid();
    }

    @Override
    public void kill(int signal, boolean all) {
        kill("", signal, all);
    }

    void kill(String execId, int signal, boolean all) {
        call("Kill", KillRequest.newBuilder().setId(id()).setExecId(execId).setSignal(signal).setAll(all).build(),
                com.google.protobuf.Empty.parser(), null);
    }

    @Override
    public void resizePty(int width, int height) {
        resizePty("", width, height);
    }

    void resizePty(String execId, int width, int height) {
        call("ResizePty", ResizePtyRequest.newBuilder().setId(id()).setExecId(execId).setWidth(width)
                .setHeight(height).build(), com.google.protobuf.Empty.parser(), null);
    }

    @Override
    public void closeIO() {
        closeIO("");
    }

    void closeIO(String execId) {
        call("CloseIO", CloseIORequest.newBuilder().setId(id()).setExecId(execId).setStdin(true).build(),
                com.google.protobuf.Empty.parser(), null);
    }

    @Override
    public Exit waitExit() {
        int pid = pid();
        WaitResponse r = waitProcess("");
        return new Exit(pid, r.getExitStatus(), Protos.instant(r.getExitedAt()));
    }

    WaitResponse waitProcess(String execId) {
        return call("Wait", WaitRequest.newBuilder().setId(id()).setExecId(execId).build(), WaitResponse.parser(), null);
    }

    /** Deletes the task (or an exec) in the shim; the manager does the rest of a task's deletion. */
    @Override
    public Exit delete() {
        return deleteProcess("");
    }

    Exit deleteProcess(String execId) {
        DeleteResponse r = call("Delete", DeleteRequest.newBuilder().setId(id()).setExecId(execId).build(),
                DeleteResponse.parser(), null);
        return new Exit(r.getPid(), r.getExitStatus(), Protos.instant(r.getExitedAt()));
    }

    /** Asks the shim to exit; a connection already closed is fine. */
    void shutdown(Duration timeout) {
        try {
            client.call(SERVICE, "Shutdown", ShutdownRequest.newBuilder().setId(id()).build(),
                    com.google.protobuf.Empty.parser(), options.withTimeout(timeout));
        } catch (TtrpcClosedException e) {
            // the shim exits while answering
        } catch (TtrpcException e) {
            throw e.toContainerdException();
        }
    }

    @Override
    public void pause() {
        call("Pause", PauseRequest.newBuilder().setId(id()).build(), com.google.protobuf.Empty.parser(), null);
    }

    @Override
    public void resume() {
        call("Resume", ResumeRequest.newBuilder().setId(id()).build(), com.google.protobuf.Empty.parser(), null);
    }

    @Override
    public RuntimeProcess exec(String execId, ExecOpts opts) {
        try {
            Identifiers.validate(execId);
        } catch (ContainerdException e) {
            throw e.wrap("invalid exec id " + execId);
        }
        ExecProcessRequest.Builder b = ExecProcessRequest.newBuilder().setId(id()).setExecId(execId)
                .setStdin(opts.io().stdin()).setStdout(opts.io().stdout()).setStderr(opts.io().stderr())
                .setTerminal(opts.io().terminal());
        if (opts.spec() != null) {
            b.setSpec(Protos.any(opts.spec()));
        }
        call("Exec", b.build(), com.google.protobuf.Empty.parser(), null);
        return new ShimExec(this, execId);
    }

    @Override
    public RuntimeProcess process(String execId) {
        ShimExec p = new ShimExec(this, execId);
        p.state();
        return p;
    }

    @Override
    public List<ProcessInfo> pids() {
        PidsResponse r = call("Pids", PidsRequest.newBuilder().setId(id()).build(), PidsResponse.parser(), null);
        List<ProcessInfo> out = new ArrayList<>();
        for (containerd.v1.types.ProcessInfo p : r.getProcessesList()) {
            out.add(new ProcessInfo(p.getPid(), p.hasInfo() ? Protos.typed(p.getInfo()) : null));
        }
        return out;
    }

    @Override
    public void update(TypedValue resources, Map<String, String> annotations) {
        UpdateTaskRequest.Builder b = UpdateTaskRequest.newBuilder().setId(id());
        if (resources != null) {
            b.setResources(Protos.any(resources));
        }
        if (annotations != null) {
            b.putAllAnnotations(annotations);
        }
        call("Update", b.build(), com.google.protobuf.Empty.parser(), null);
    }

    @Override
    public TypedValue stats() {
        StatsResponse r = call("Stats", StatsRequest.newBuilder().setId(id()).build(), StatsResponse.parser(), null);
        return r.hasStats() ? Protos.typed(r.getStats()) : null;
    }
}
