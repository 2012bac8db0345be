package io.jcontainerd.runtime.v2;

import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.mount.Mounter;
import io.jcontainerd.plugin.DaemonPaths;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.runtime.PlatformRuntime;
import io.jcontainerd.runtime.v2.ShimManager.Timeouts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code io.containerd.runtime.v2.task} plugin. Bundles live under its state directory, work
 * directories under its root; runc keeps its state under {@code <daemon state>/runc}. The metadata
 * reference mirrors containerd's requirement (it reads containers when restoring tasks).
 */
@Component(name = "io.containerd.runtime.v2.task", enabled = false, immediate = true,
        service = PlatformRuntime.class, property = Plugin.PLATFORMS + "=" + Plugin.HOST_PLATFORM)
@Plugin(type = PluginType.RUNTIME_V2, id = "task")
public class RuntimeV2Plugin extends ShimManager {
    /** Framework property: the daemon's home (its launcher is {@code <home>/bin/jcontainerd}). */
    static final String HOME = "jcontainerd.home";
    /** Framework property: log level; {@code debug}/{@code trace} make shims log at debug level. */
    static final String LOG_LEVEL = "jcontainerd.log.level";

    @Activate
    public RuntimeV2Plugin(BundleContext ctx,
            @Reference(name = "events", target = "(plugin.type=" + PluginType.EVENT + ")") EventPublisher events,
            @Reference(name = "metadata", target = "(plugin.type=" + PluginType.METADATA + ")") MetadataStore db,
            @Reference(name = "mounter") Mounter mounter) throws java.io.IOException {
        super(config(ctx), events, mounter, System.err);
        loadExisting(); // in the background: serving does not wait for old shims
    }

    /** Where shims run, from the framework's properties; creates the plugin's directories. */
    private static Config config(BundleContext ctx) throws java.io.IOException {
        DaemonPaths paths = DaemonPaths.from(ctx::getProperty);
        Path root = paths.rootOf(PluginType.RUNTIME_V2, "task");
        Path state = paths.stateOf(PluginType.RUNTIME_V2, "task");
        Bundle.createDirectories(root, Bundle.TRAVERSE_ONLY);
        Bundle.createDirectories(state, Bundle.TRAVERSE_ONLY);
        String home = ctx.getProperty(HOME);
        String publish = home != null ? Path.of(home, "bin", "jcontainerd").toString() : "/usr/bin/jcontainerd";
        String level = String.valueOf(ctx.getProperty(LOG_LEVEL));
        boolean debug = level.equalsIgnoreCase("debug") || level.equalsIgnoreCase("trace");
        return new Config(root, state, paths.state().resolve("runc"), paths.grpcAddress(),
                DaemonPaths.ttrpcAddress(ctx::getProperty), publish, System.getenv("PATH"), debug,
                Timeouts.from(ctx::getProperty));
    }

    @Deactivate
    void deactivate() {
        close();
    }
}
