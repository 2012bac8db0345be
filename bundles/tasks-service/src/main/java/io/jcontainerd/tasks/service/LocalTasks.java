package io.jcontainerd.tasks.service;

import io.jcontainerd.containers.Container;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.runtime.CreateOpts;
import io.jcontainerd.runtime.ExecOpts;
import io.jcontainerd.runtime.Exit;
import io.jcontainerd.runtime.PlatformRuntime;
import io.jcontainerd.runtime.ProcessInfo;
import io.jcontainerd.runtime.ProcessState;
import io.jcontainerd.runtime.RuntimeProcess;
import io.jcontainerd.runtime.RuntimeTask;
import io.jcontainerd.runtime.TaskMonitor;
import io.jcontainerd.tasks.Metric;
import io.jcontainerd.tasks.NewTask;
import io.jcontainerd.tasks.TaskService;
import io.jcontainerd.types.TypedValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tasks service's logic, as containerd's {@code services/tasks/local.go}: look the container up,
 * find its runtime (the v2 runtime runs every runtime name), and ask the runtime's task. Publishes
 * nothing itself: v2 shims publish the task events.
 */
public class LocalTasks implements TaskService {
    private static final System.Logger LOG = System.getLogger(LocalTasks.class.getName());

    private final MetadataStore db;
    private final PlatformRuntime runtime;
    private volatile TaskMonitor monitor = NO_MONITOR;

    private static final TaskMonitor NO_MONITOR = new TaskMonitor() {
        @Override
        public void monitor(RuntimeTask task, Map<String, String> labels) {
        }

        @Override
        public void stop(String namespace, String id) {
        }
    };

    public LocalTasks(MetadataStore db, PlatformRuntime runtime) {
        this.db = db;
        this.runtime = runtime;
    }

    /**
     * Hands tasks to {@code m} from now on, and the tasks already running once the runtime has found
     * again those of a previous daemon (without labels, as containerd hands over restored tasks).
     */
    protected void monitorWith(TaskMonitor m) {
        monitor = m;
        runtime.restored().thenRun(() -> {
            if (monitor == m) {
                runtime.tasks(null).forEach(t -> m.monitor(t, null));
            }
        });
    }

    /** Stops handing tasks to {@code m}. */
    protected void monitorWithout(TaskMonitor m) {
        if (monitor == m) {
            monitor = NO_MONITOR;
        }
    }

    private Container container(String namespace, String id) {
        return db.view(tx -> tx.containers().get(namespace, id));
    }

    private RuntimeTask task(String namespace, String id) {
        container(namespace, id);
        return taskOf(namespace, id);
    }

    private RuntimeTask taskOf(String namespace, String id) {
        try {
            return runtime.get(namespace, id);
        } catch (ContainerdException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                throw new StatusMessage(ErrorCode.NOT_FOUND, "task " + id + " not found");
            }
            throw e;
        }
    }

    private RuntimeProcess process(String namespace, String id, String execId) {
        RuntimeTask t = task(namespace, id);
        return execId == null || execId.isEmpty() ? t : t.process(execId);
    }

    @Override
    public int create(String namespace, NewTask r) {
        Container c = container(namespace, r.containerId());
        String rt = r.runtimePath().isEmpty() ? c.runtime().name() : r.runtimePath();
        boolean exists;
        try {
            runtime.get(namespace, r.containerId());
            exists = true;
        } catch (ContainerdException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            exists = false;
        }
        if (exists) {
            throw Errdefs.alreadyExists("task %s", r.containerId());
        }
        RuntimeTask t = runtime.create(namespace, r.containerId(), new CreateOpts(c.spec(), r.rootfs(), r.io(), "", rt,
                c.runtime().options(), r.options()));
        monitor.monitor(t, Map.of("runtime", c.runtime().name()));
        return t.pid();
    }

    @Override
    public int start(String namespace, String containerId, String execId) {
        // the shim's answer to Start carries the pid; asking its State again would cost a round trip
        // that waits behind the shim's handling of a process that exits at once
        return process(namespace, containerId, execId).start();
    }

    @Override
    public Exit delete(String namespace, String containerId) {
        container(namespace, containerId);
        taskOf(namespace, containerId);
        monitor.stop(namespace, containerId);
        return runtime.delete(namespace, containerId);
    }

    @Override
    public Exit deleteProcess(String namespace, String containerId, String execId) {
        return task(namespace, containerId).process(execId).delete();
    }

    @Override
    public ProcessState get(String namespace, String containerId, String execId) {
        return process(namespace, containerId, execId).state();
    }

    @Override
    public List<ProcessState> list(String namespace) {
        List<ProcessState> out = new ArrayList<>();
        for (RuntimeTask t : runtime.tasks(namespace)) {
            try {
                out.add(t.state());
            } catch (ContainerdException e) {
                if (e.code() != ErrorCode.NOT_FOUND) { // else deleted meanwhile
                    LOG.log(System.Logger.Level.WARNING, "state of task " + t.id() + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    @Override
    public void kill(String namespace, String containerId, String execId, int signal, boolean all) {
        process(namespace, containerId, execId).kill(signal, all);
    }

    @Override
    public void exec(String namespace, String containerId, String execId, ExecOpts opts) {
        if (execId == null || execId.isEmpty()) {
            throw new StatusMessage(ErrorCode.INVALID_ARGUMENT, "exec id cannot be empty");
        }
        task(namespace, containerId).exec(execId, opts);
    }

    @Override
    public void resizePty(String namespace, String containerId, String execId, int width, int height) {
        process(namespace, containerId, execId).resizePty(width, height);
    }

    @Override
    public void closeIO(String namespace, String containerId, String execId, boolean stdin) {
        RuntimeProcess p = process(namespace, containerId, execId);
        if (stdin) {
            p.closeIO();
        }
    }

    @Override
    public void pause(String namespace, String containerId) {
        task(namespace, containerId).pause();
    }

    @Override
    public void resume(String namespace, String containerId) {
        task(namespace, containerId).resume();
    }

    @Override
    public List<ProcessInfo> listPids(String namespace, String containerId) {
        return task(namespace, containerId).pids();
    }

    @Override
    public void update(String namespace, String containerId, TypedValue resources, Map<String, String> annotations) {
        task(namespace, containerId).update(resources, annotations);
    }

    @Override
    public List<Metric> metrics(String namespace, List<String> filters) {
        Filter filter;
        try {
            filter = Filters.parseAny(filters);
        } catch (ContainerdException e) {
            // containerd's tasks service returns the parse error as it is, which reaches clients as Unknown
            throw new ContainerdException(ErrorCode.UNKNOWN, e.getMessage(), e);
        }
        List<Metric> out = new ArrayList<>();
        for (RuntimeTask t : runtime.tasks(namespace)) {
            boolean match = filter.match(path -> switch (path.get(0)) {
                case "id" -> t.id();
                case "namespace" -> t.namespace();
                default -> null;
            });
            if (!match) {
                continue;
            }
            Instant collected = Instant.now();
            try {
                TypedValue stats = t.stats();
                out.add(new Metric(collected, t.id(), stats));
            } catch (ContainerdException e) {
                if (e.code() != ErrorCode.NOT_FOUND) {
                    LOG.log(System.Logger.Level.WARNING, "collecting metrics for " + t.id() + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    @Override
    public Exit waitExit(String namespace, String containerId, String execId) {
        return process(namespace, containerId, execId).waitExit();
    }

    /** An error whose message is exactly the given text (containerd's {@code status.Errorf} ones). */
    static final class StatusMessage extends ContainerdException {
        private static final long serialVersionUID = 1L;
        private final String message;

        StatusMessage(ErrorCode code, String message) {
            super(code, message);
            this.message = message;
        }

        @Override
        public String getMessage() {
            return message;
        }
    }
}
