package io.jcontainerd.snapshots.nativecopy;

import io.jcontainerd.mount.Mount;
import io.jcontainerd.plugin.DaemonPaths;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.snapshots.SnapshotInfo;
import io.jcontainerd.snapshots.Snapshotter;
import io.jcontainerd.snapshots.Usage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The {@code io.containerd.snapshotter.v1.native} plugin. */
@Component(name = "io.containerd.snapshotter.v1.native", enabled = false, immediate = true,
        service = Snapshotter.class,
        property = Plugin.PLATFORMS + "=" + Plugin.HOST_PLATFORM)
@Plugin(type = PluginType.SNAPSHOTTER, id = "native")
@Designate(ocd = NativePlugin.Config.class)
public class NativePlugin implements Snapshotter {

    @ObjectClassDefinition(name = "jcontainerd native snapshotter", description = "io.containerd.snapshotter.v1.native")
    public @interface Config {
        @AttributeDefinition(description = "Directory for the snapshots and their metadata; empty: the plugin's root "
                + "directory")
        String root__path() default "";
    }

    private final NativeSnapshotter snapshotter;

    @Activate
    public NativePlugin(BundleContext ctx, Config config) throws IOException {
        Path root = config.root__path().isEmpty()
                ? DaemonPaths.from(ctx::getProperty).rootOf(PluginType.SNAPSHOTTER, "native")
                : Path.of(config.root__path());
        this.snapshotter = new NativeSnapshotter(root);
    }

    @Deactivate
    void close() {
        snapshotter.close();
    }

    @Override
    public SnapshotInfo stat(String key) {
        return snapshotter.stat(key);
    }

    @Override
    public SnapshotInfo update(SnapshotInfo info, List<String> fieldPaths) {
        return snapshotter.update(info, fieldPaths);
    }

    @Override
    public Usage usage(String key) {
        return snapshotter.usage(key);
    }

    @Override
    public List<Mount> mounts(String key) {
        return snapshotter.mounts(key);
    }

    @Override
    public List<Mount> prepare(String key, String parent, Map<String, String> labels) {
        return snapshotter.prepare(key, parent, labels);
    }

    @Override
    public List<Mount> view(String key, String parent, Map<String, String> labels) {
        return snapshotter.view(key, parent, labels);
    }

    @Override
    public void commit(String name, String key, Map<String, String> labels) {
        snapshotter.commit(name, key, labels);
    }

    @Override
    public void remove(String key) {
        snapshotter.remove(key);
    }

    @Override
    public void walk(Consumer<SnapshotInfo> visitor) {
        snapshotter.walk(visitor);
    }

    @Override
    public void cleanup() {
        snapshotter.cleanup();
    }
}
