package io.jcontainerd.plugin;

/** containerd's plugin types, exactly as {@code ctr plugins ls} prints them. */
public final class PluginType {
    public static final String INTERNAL = "io.containerd.internal.v1";
    public static final String RUNTIME = "io.containerd.runtime.v1";
    public static final String RUNTIME_V2 = "io.containerd.runtime.v2";
    public static final String SERVICE = "io.containerd.service.v1";
    public static final String GRPC = "io.containerd.grpc.v1";
    public static final String TTRPC = "io.containerd.ttrpc.v1";
    public static final String SNAPSHOTTER = "io.containerd.snapshotter.v1";
    public static final String TASK_MONITOR = "io.containerd.monitor.v1";
    public static final String DIFFER = "io.containerd.differ.v1";
    public static final String METADATA = "io.containerd.metadata.v1";
    public static final String CONTENT = "io.containerd.content.v1";
    public static final String GC = "io.containerd.gc.v1";
    public static final String EVENT = "io.containerd.event.v1";
    public static final String LEASE = "io.containerd.lease.v1";

    private PluginType() {
    }
}
