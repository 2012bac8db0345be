package io.jcontainerd.diff.service;

import io.jcontainerd.diff.Differ;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@code io.containerd.service.v1.diff-service} plugin: the differs named by {@code default}
 * (containerd's default {@code ["walking"]}), tried in that order. The differs are bound when it
 * activates; one that comes later re-activates it.
 */
@Component(name = "io.containerd.service.v1.diff-service", enabled = false, immediate = true, service = Differ.class)
@Plugin(type = PluginType.SERVICE, id = "diff-service")
@Designate(ocd = DiffServicePlugin.Config.class)
public class DiffServicePlugin implements Differ {

    @ObjectClassDefinition(name = "jcontainerd diff service", description = "io.containerd.service.v1.diff-service")
    public @interface Config {
        @AttributeDefinition(name = "default", description = "Differs to try, in order")
        String[] default$() default {"walking"};
    }

    private final OrderedDiffers differs;

    @Activate
    public DiffServicePlugin(
            @Reference(name = "differs", service = Differ.class, target = "(plugin.type=" + PluginType.DIFFER + ")",
                    cardinality = ReferenceCardinality.AT_LEAST_ONE) List<Map.Entry<Map<String, Object>, Differ>> differs,
            Config config) {
        Map<String, Differ> byName = new HashMap<>();
        for (Map.Entry<Map<String, Object>, Differ> e : differs) {
            byName.put(String.valueOf(e.getKey().get(Plugin.ID)), e.getValue());
        }
        this.differs = new OrderedDiffers(List.of(config.default$()), byName);
    }

    @Override
    public Descriptor apply(String namespace, Descriptor layer, List<Mount> mounts, Map<String, byte[]> payloads) {
        return differs.apply(namespace, layer, mounts, payloads);
    }

    @Override
    public Descriptor compare(String namespace, String lease, List<Mount> lower, List<Mount> upper, String mediaType,
            String ref, Map<String, String> labels) {
        return differs.compare(namespace, lease, lower, upper, mediaType, ref, labels);
    }
}
