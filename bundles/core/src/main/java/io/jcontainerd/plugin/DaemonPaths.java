package io.jcontainerd.plugin;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where a plugin keeps its files: {@code <root>/<type>.<id>} for persistent data and
 * {@code <state>/<type>.<id>} for data that dies with the host, as containerd's plugin InitContext gives.
 *
 * <p>The launcher publishes the daemon's root and state directories and its gRPC address as framework
 * properties; components read them through their {@code BundleContext::getProperty}.
 */
public record DaemonPaths(Path root, Path state, String grpcAddress) {
    /** Framework property: the daemon's root directory. */
    public static final String ROOT = "jcontainerd.root";
    /** Framework property: the daemon's state directory. */
    public static final String STATE = "jcontainerd.state";
    /** Framework property: the gRPC unix socket path. */
    public static final String GRPC_ADDRESS = "jcontainerd.grpc.address";

    /**
     * Framework property: the daemon's ttrpc unix socket path (the shims' way back in), by default the
     * gRPC address with {@code .ttrpc} appended, as containerd. Read it with {@link #ttrpcAddress}.
     */
    public static final String TTRPC_ADDRESS = "jcontainerd.ttrpc.address";

    public static final String DEFAULT_ROOT = "/var/lib/jcontainerd";
    public static final String DEFAULT_STATE = "/run/jcontainerd";
    public static final String DEFAULT_GRPC_ADDRESS = "/run/jcontainerd/jcontainerd.sock";

    /** Reads the paths from framework properties, falling back to the defaults. */
    public static DaemonPaths from(Function<String, String> properties) {
        return new DaemonPaths(
                Path.of(orDefault(properties.apply(ROOT), DEFAULT_ROOT)),
                Path.of(orDefault(properties.apply(STATE), DEFAULT_STATE)),
                orDefault(properties.apply(GRPC_ADDRESS), DEFAULT_GRPC_ADDRESS));
    }

    /** The ttrpc socket path from framework properties: {@link #TTRPC_ADDRESS}, else the gRPC address + {@code .ttrpc}. */
    public static String ttrpcAddress(Function<String, String> properties) {
        return orDefault(properties.apply(TTRPC_ADDRESS), from(properties).grpcAddress() + ".ttrpc");
    }

    /** The plugin's persistent directory. */
    public Path rootOf(String type, String id) {
        return root.resolve(type + "." + id);
    }

    /** The plugin's volatile directory. */
    public Path stateOf(String type, String id) {
        return state.resolve(type + "." + id);
    }

    private static String orDefault(String v, String d) {
        return v == null || v.isBlank() ? d : v;
    }
}
