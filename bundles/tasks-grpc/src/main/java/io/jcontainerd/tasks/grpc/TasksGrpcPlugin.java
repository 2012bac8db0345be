package io.jcontainerd.tasks.grpc;

import com.google.protobuf.Empty;
import containerd.services.tasks.v1.CheckpointTaskRequest;
import containerd.services.tasks.v1.CheckpointTaskResponse;
import containerd.services.tasks.v1.CloseIORequest;
import containerd.services.tasks.v1.CreateTaskRequest;
import containerd.services.tasks.v1.CreateTaskResponse;
import containerd.services.tasks.v1.DeleteProcessRequest;
import containerd.services.tasks.v1.DeleteResponse;
import containerd.services.tasks.v1.DeleteTaskRequest;
import containerd.services.tasks.v1.ExecProcessRequest;
import containerd.services.tasks.v1.GetRequest;
import containerd.services.tasks.v1.GetResponse;
import containerd.services.tasks.v1.KillRequest;
import containerd.services.tasks.v1.ListPidsRequest;
import containerd.services.tasks.v1.ListPidsResponse;
import containerd.services.tasks.v1.ListTasksRequest;
import containerd.services.tasks.v1.ListTasksResponse;
import containerd.services.tasks.v1.MetricsRequest;
import containerd.services.tasks.v1.MetricsResponse;
import containerd.services.tasks.v1.PauseTaskRequest;
import containerd.services.tasks.v1.ResizePtyRequest;
import containerd.services.tasks.v1.ResumeTaskRequest;
import containerd.services.tasks.v1.StartRequest;
import containerd.services.tasks.v1.StartResponse;
import containerd.services.tasks.v1.TasksGrpc;
import containerd.services.tasks.v1.UpdateTaskRequest;
import containerd.services.tasks.v1.WaitRequest;
import containerd.services.tasks.v1.WaitResponse;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.runtime.ExecOpts;
import io.jcontainerd.runtime.Exit;
import io.jcontainerd.runtime.ProcessInfo;
import io.jcontainerd.runtime.ProcessState;
import io.jcontainerd.runtime.TaskIO;
import io.jcontainerd.server.grpc.GrpcNamespace;
import io.jcontainerd.tasks.Metric;
import io.jcontainerd.tasks.NewTask;
import io.jcontainerd.tasks.TaskService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code io.containerd.grpc.v1.tasks} plugin: a thin adapter over the tasks service. Every call may wait on a shim. */
@Component(name = "io.containerd.grpc.v1.tasks", enabled = false, immediate = true, service = BindableService.class)
@Plugin(type = PluginType.GRPC, id = "tasks")
public class TasksGrpcPlugin extends TasksGrpc.TasksImplBase {
    private static final Empty EMPTY = Empty.getDefaultInstance();
    private final TaskService service;

    @Activate
    public TasksGrpcPlugin(@Reference(name = "service", target = "(&(plugin.type=" + PluginType.SERVICE
            + ")(plugin.id=tasks-service))") TaskService service) {
        this.service = service;
    }

    private static <T> void reply(StreamObserver<T> response, T value) {
        response.onNext(value);
        response.onCompleted();
    }

    @Override
    public void create(CreateTaskRequest r, StreamObserver<CreateTaskResponse> response) {
        String ns = GrpcNamespace.required();
        if (r.hasCheckpoint()) {
            throw Errdefs.notImplemented("restoring a task from a checkpoint");
        }
        int pid = service.create(ns, new NewTask(r.getContainerId(), r.getRootfsList().stream().map(TaskProtos::mount)
                .toList(), new TaskIO(r.getStdin(), r.getStdout(), r.getStderr(), r.getTerminal()),
                TaskProtos.typed(r.hasOptions(), r.getOptions()), r.getRuntimePath()));
        reply(response, CreateTaskResponse.newBuilder().setContainerId(r.getContainerId()).setPid(pid).build());
    }

    @Override
    public void start(StartRequest r, StreamObserver<StartResponse> response) {
        int pid = service.start(GrpcNamespace.required(), r.getContainerId(), r.getExecId());
        reply(response, StartResponse.newBuilder().setPid(pid).build());
    }

    @Override
    public void delete(DeleteTaskRequest r, StreamObserver<DeleteResponse> response) {
        Exit e = service.delete(GrpcNamespace.required(), r.getContainerId());
        reply(response, TaskProtos.deleted("", e));
    }

    @Override
    public void deleteProcess(DeleteProcessRequest r, StreamObserver<DeleteResponse> response) {
        Exit e = service.deleteProcess(GrpcNamespace.required(), r.getContainerId(), r.getExecId());
        reply(response, TaskProtos.deleted(r.getExecId(), e));
    }

    @Override
    public void get(GetRequest r, StreamObserver<GetResponse> response) {
        ProcessState s = service.get(GrpcNamespace.required(), r.getContainerId(), r.getExecId());
        reply(response, GetResponse.newBuilder().setProcess(TaskProtos.process(s)).build());
    }

    @Override
    public void list(ListTasksRequest r, StreamObserver<ListTasksResponse> response) {
        ListTasksResponse.Builder b = ListTasksResponse.newBuilder();
        service.list(GrpcNamespace.required()).forEach(s -> b.addTasks(TaskProtos.process(s)));
        reply(response, b.build());
    }

    @Override
    public void kill(KillRequest r, StreamObserver<Empty> response) {
        service.kill(GrpcNamespace.required(), r.getContainerId(), r.getExecId(), r.getSignal(), r.getAll());
        reply(response, EMPTY);
    }

    @Override
    public void exec(ExecProcessRequest r, StreamObserver<Empty> response) {
        service.exec(GrpcNamespace.required(), r.getContainerId(), r.getExecId(), new ExecOpts(
                TaskProtos.typed(r.hasSpec(), r.getSpec()), new TaskIO(r.getStdin(), r.getStdout(), r.getStderr(),
                        r.getTerminal())));
        reply(response, EMPTY);
    }

    @Override
    public void resizePty(ResizePtyRequest r, StreamObserver<Empty> response) {
        service.resizePty(GrpcNamespace.required(), r.getContainerId(), r.getExecId(), r.getWidth(), r.getHeight());
        reply(response, EMPTY);
    }

    @Override
    public void closeIO(CloseIORequest r, StreamObserver<Empty> response) {
        service.closeIO(GrpcNamespace.required(), r.getContainerId(), r.getExecId(), r.getStdin());
        reply(response, EMPTY);
    }

    @Override
    public void pause(PauseTaskRequest r, StreamObserver<Empty> response) {
        service.pause(GrpcNamespace.required(), r.getContainerId());
        reply(response, EMPTY);
    }

    @Override
    public void resume(ResumeTaskRequest r, StreamObserver<Empty> response) {
        service.resume(GrpcNamespace.required(), r.getContainerId());
        reply(response, EMPTY);
    }

    @Override
    public void listPids(ListPidsRequest r, StreamObserver<ListPidsResponse> response) {
        ListPidsResponse.Builder b = ListPidsResponse.newBuilder();
        for (ProcessInfo p : service.listPids(GrpcNamespace.required(), r.getContainerId())) {
            containerd.v1.types.ProcessInfo.Builder pb = containerd.v1.types.ProcessInfo.newBuilder().setPid(p.pid());
            if (p.info() != null) {
                pb.setInfo(TaskProtos.any(p.info()));
            }
            b.addProcesses(pb);
        }
        reply(response, b.build());
    }

    /** Checkpoints are not supported yet: Unimplemented, after the namespace check every call makes. */
    @Override
    public void checkpoint(CheckpointTaskRequest r, StreamObserver<CheckpointTaskResponse> response) {
        GrpcNamespace.required();
        throw Errdefs.notImplemented("checkpoint");
    }

    @Override
    public void update(UpdateTaskRequest r, StreamObserver<Empty> response) {
        service.update(GrpcNamespace.required(), r.getContainerId(), TaskProtos.typed(r.hasResources(),
                r.getResources()), r.getAnnotationsMap());
        reply(response, EMPTY);
    }

    @Override
    public void metrics(MetricsRequest r, StreamObserver<MetricsResponse> response) {
        MetricsResponse.Builder b = MetricsResponse.newBuilder();
        for (Metric m : service.metrics(GrpcNamespace.required(), r.getFiltersList())) {
            containerd.types.Metric.Builder mb = containerd.types.Metric.newBuilder()
                    .setTimestamp(TaskProtos.timestamp(m.timestamp())).setId(m.id());
            if (m.data() != null) {
                mb.setData(TaskProtos.any(m.data()));
            }
            b.addMetrics(mb);
        }
        reply(response, b.build());
    }

    @Override
    public void wait(WaitRequest r, StreamObserver<WaitResponse> response) {
        Exit e = service.waitExit(GrpcNamespace.required(), r.getContainerId(), r.getExecId());
        reply(response, WaitResponse.newBuilder().setExitStatus(e.status()).setExitedAt(TaskProtos.timestamp(e.timestamp()))
                .build());
    }
}
