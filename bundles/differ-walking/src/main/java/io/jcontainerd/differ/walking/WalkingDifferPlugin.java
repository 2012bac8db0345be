package io.jcontainerd.differ.walking;

import io.jcontainerd.content.ContentStore;
import io.jcontainerd.diff.Differ;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.mount.Mounter;
import io.jcontainerd.plugin.DaemonPaths;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code io.containerd.differ.v1.walking} plugin. Temporary mounts go under
 * {@code <root>/tmpmounts}, as containerd's.
 */
@Component(name = "io.containerd.differ.v1.walking", enabled = false, immediate = true, service = Differ.class,
        property = Plugin.PLATFORMS + "=" + Plugin.HOST_PLATFORM)
@Plugin(type = PluginType.DIFFER, id = "walking")
public class WalkingDifferPlugin implements Differ {
    private final WalkingDiffer differ;

    @Activate
    public WalkingDifferPlugin(BundleContext ctx,
            @Reference(name = "content") ContentStore content,
            @Reference(name = "mounter") Mounter mounter) {
        DaemonPaths paths = DaemonPaths.from(ctx::getProperty);
        this.differ = new WalkingDiffer(content, mounter, paths.root().resolve("tmpmounts"));
    }

    @Override
    public Descriptor apply(String namespace, Descriptor layer, List<Mount> mounts, Map<String, byte[]> payloads) {
        return differ.apply(namespace, layer, mounts, payloads);
    }

    @Override
    public Descriptor compare(String namespace, String lease, List<Mount> lower, List<Mount> upper, String mediaType,
            String ref, Map<String, String> labels) {
        return differ.compare(namespace, lease, lower, upper, mediaType, ref, labels);
    }
}
