package io.jcontainerd.diff.service;

import io.jcontainerd.diff.Differ;
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
public class DiffServicePlugin extends OrderedDiffers {

    @ObjectClassDefinition(name = "jcontainerd diff service", description = "io.containerd.service.v1.diff-service")
    public @interface Config {
        @AttributeDefinition(name = "default", description = "Differs to try, in order")
        String[] default$() default {"walking"};
    }

    @Activate
    public DiffServicePlugin(
            @Reference(name = "differs", service = Differ.class, target = "(plugin.type=" + PluginType.DIFFER + ")",
                    cardinality = ReferenceCardinality.AT_LEAST_ONE) List<Map.Entry<Map<String, Object>, Differ>> differs,
            Config config) {
        super(List.of(config.default$()), byName(differs));
    }

    private static Map<String, Differ> byName(List<Map.Entry<Map<String, Object>, Differ>> differs) {
        Map<String, Differ> byName = new HashMap<>();
        for (Map.Entry<Map<String, Object>, Differ> e : differs) {
            byName.put(String.valueOf(e.getKey().get(Plugin.ID)), e.getValue());
        }
        return byName;
    }
}
