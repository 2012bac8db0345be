package io.jcontainerd.runtime.v2;

import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.mount.Mounter;
import io.jcontainerd.plugin.DaemonPaths;
import io.jcontainerd.plugin.GoDuration;
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
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@code io.containerd.runtime.v2.task} plugin. Bundles live under its state directory, work
 * directories under its root; runc keeps its state under {@code <daemon state>/runc}. The metadata
 * reference mirrors containerd's requirement (it reads containers when restoring tasks).
 */
@Component(name = "io.containerd.runtime.v2.task", enabled = false, immediate = true,
        service = PlatformRuntime.class, property = Plugin.PLATFORMS + "=" + Plugin.HOST_PLATFORM)
@Plugin(type = PluginType.RUNTIME_V2, id = "task")
@Designate(ocd = RuntimeV2Plugin.Settings.class)
public class RuntimeV2Plugin extends ShimManager {

    @ObjectClassDefinition(name = "jcontainerd v2 task runtime", description = "io.containerd.runtime.v2.task")
    public @interface Settings {
        @AttributeDefinition(description = "The most shims started ahead of their tasks, per namespace, shim and "
                + "shim options that tasks were created with: as many as creates were under way at once lately "
                + "(runc shims only; 0: a task's create starts its shim)")
        int warm__shims() default 10;

        @AttributeDefinition(description = "How long warm shims are kept after the last create that could have "
                + "taken one, and how long a burst of creates counts (a Go duration)")
        String warm__shims__idle() default "5m";
    }

    /** Framework property: the daemon's home (its launcher is {@code <home>/bin/jcontainerd}). */
    static final String HOME = "jcontainerd.home";
    /** Framework property: log level; {@code debug}/{@code trace} make shims log at debug level. */
    static final String LOG_LEVEL = "jcontainerd.log.level";

    @Activate
    public RuntimeV2Plugin(BundleContext ctx,
            @Reference(name = "events", target = "(plugin.type=" + PluginType.EVENT + ")") EventPublisher events,
            @Reference(name = "metadata", target = "(plugin.type=" + PluginType.METADATA + ")") MetadataStore db,
            @Reference(name = "mounter") Mounter mounter, Settings settings) throws java.io.IOException {
        super(config(ctx, settings), events, mounter, System.err);
        loadExisting(); // in the background: serving does not wait for old shims
    }

    /** Where shims run, from the framework's properties; creates the plugin's directories. */
    private static Config config(BundleContext ctx, Settings settings) throws java.io.IOException {
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
                Timeouts.from(ctx::getProperty),
                new Warming(settings.warm__shims(), GoDuration.parse(settings.warm__shims__idle())));
    }

    @Deactivate
    void deactivate() {
        close();
    }
}
