package io.jcontainerd.introspection.service;

import io.jcontainerd.introspection.IntrospectionService;
import io.jcontainerd.introspection.PluginInfo;
import io.jcontainerd.plugin.DaemonPaths;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import java.util.Arrays;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * The {@code io.containerd.service.v1.introspection-service} plugin. The list is read from the
 * Service Component Runtime at each call, so it always shows live state. The UUID lives where
 * containerd keeps it, {@code <root>/io.containerd.grpc.v1.introspection/uuid}.
 */
@Component(name = "io.containerd.service.v1.introspection-service", enabled = false, immediate = true,
        service = IntrospectionService.class)
@Plugin(type = PluginType.SERVICE, id = "introspection-service")
public class IntrospectionServicePlugin implements IntrospectionService {
    private final LocalIntrospection local;

    @Activate
    public IntrospectionServicePlugin(@Reference(name = "scr") ServiceComponentRuntime scr, BundleContext ctx) {
        DaemonPaths paths = DaemonPaths.from(ctx::getProperty);
        this.local = new LocalIntrospection(() -> Arrays.stream(ctx.getBundles())
                .flatMap(b -> scr.getComponentDescriptionDTOs(b).stream())
                .filter(scr::isComponentEnabled)
                .sorted(ComponentPlugins.registrationOrder(d -> startLevel(ctx, d.bundle.id)))
                .map(d -> new ComponentPlugins.Component(d, List.copyOf(scr.getComponentConfigurationDTOs(d))))
                .toList(),
                paths.rootOf(PluginType.GRPC, "introspection").resolve("uuid"));
    }

    private static int startLevel(BundleContext ctx, long bundleId) {
        Bundle b = ctx.getBundle(bundleId);
        BundleStartLevel level = b == null ? null : b.adapt(BundleStartLevel.class);
        return level == null ? Integer.MAX_VALUE : level.getStartLevel();
    }

    @Override
    public List<PluginInfo> plugins(List<String> filters) {
        return local.plugins(filters);
    }

    @Override
    public String uuid() {
        return local.uuid();
    }
}
