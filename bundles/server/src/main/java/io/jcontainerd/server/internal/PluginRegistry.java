package io.jcontainerd.server.internal;

import io.jcontainerd.plugin.Plugin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.util.promise.Promise;
import org.osgi.util.tracker.BundleTracker;

/**
 * Loads plugins. Plugin components are declared disabled; as each bundle becomes active this enables
 * its plugin components, except those named in config.toml's {@code disabled_plugins}, which never
 * activate and do not appear in introspection, as in containerd.
 */
@Component(name = "io.jcontainerd.server.plugins", immediate = true, service = PluginRegistry.class)
public class PluginRegistry {
    private static final System.Logger LOG = System.getLogger(PluginRegistry.class.getName());

    /** Framework property: comma-separated plugin URIs not to load. */
    public static final String DISABLED_PLUGINS = "jcontainerd.disabled_plugins";

    private final ServiceComponentRuntime scr;
    private final Set<String> disabled;
    private final BundleTracker<Bundle> tracker;
    private final BundleContext context;
    private final ServiceListener scrChanged;
    private final List<Promise<Void>> pending = new ArrayList<>();
    /** Components enabled once per bundle life, so that an operator's later disable is respected. */
    private final Set<String> enabledOnce = ConcurrentHashMap.newKeySet();
    /** Active bundles declaring components that SCR has not read yet (it may do so asynchronously). */
    private final Set<Bundle> awaitingScr = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "plugin-registry");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public PluginRegistry(@Reference ServiceComponentRuntime scr, BundleContext ctx) {
        this.scr = scr;
        this.disabled = Set.copyOf(parseList(ctx.getProperty(DISABLED_PLUGINS)));
        this.context = ctx;
        this.tracker = new BundleTracker<>(ctx, Bundle.ACTIVE, null) {
            @Override
            public Bundle addingBundle(Bundle bundle, BundleEvent event) {
                enablePlugins(bundle);
                return bundle;
            }

            @Override
            public void removedBundle(Bundle bundle, BundleEvent event, Bundle object) {
                String prefix = bundle.getBundleId() + "/";
                enabledOnce.removeIf(k -> k.startsWith(prefix));
            }
        };
        // SCR may read a bundle's components after the bundle turned active; its change count tells
        this.scrChanged = event -> {
            if (event.getType() == ServiceEvent.MODIFIED) {
                for (Bundle b : tracker.getBundles() == null ? new Bundle[0] : tracker.getBundles()) {
                    enablePlugins(b);
                }
            }
        };
        try {
            ctx.addServiceListener(scrChanged, "(" + Constants.OBJECTCLASS + "=" + ServiceComponentRuntime.class.getName() + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        tracker.open();
    }

    @Deactivate
    void deactivate() {
        context.removeServiceListener(scrChanged);
        tracker.close();
        retries.shutdownNow();
    }

    private void enablePlugins(Bundle bundle) {
        List<ComponentDescriptionDTO> descriptions = scr.getComponentDescriptionDTOs(bundle).stream().toList();
        if (descriptions.size() < declaredComponents(bundle.getHeaders().get("Service-Component"))) {
            // SCR has not read all of this bundle's components yet (it lists them as it reads them,
            // one by one): look again shortly
            if (awaitingScr.add(bundle)) {
                retry(bundle, System.nanoTime(), 5);
            }
            return;
        }
        awaitingScr.remove(bundle);
        for (ComponentDescriptionDTO d : descriptions) {
            if (d.properties == null || !(d.properties.get(Plugin.TYPE) instanceof String type)) {
                continue;
            }
            if (disabled.contains(d.name)) {
                LOG.log(System.Logger.Level.INFO, "plugin {0} disabled by configuration", d.name);
                continue;
            }
            if (enabledOnce.add(bundle.getBundleId() + "/" + d.name) && !scr.isComponentEnabled(d)) {
                LOG.log(System.Logger.Level.DEBUG, "loading plugin \"{0}\"... type={1}", d.name, type);
                Promise<Void> enabled = scr.enableComponent(d);
                synchronized (pending) {
                    pending.add(enabled);
                }
            }
        }
    }

    /**
     * How many components a {@code Service-Component} header declares: one per descriptor it names,
     * as bnd writes them (at least one when it names them by pattern; none without the header).
     */
    static int declaredComponents(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        String[] entries = header.split(",");
        for (String e : entries) {
            if (e.contains("*")) {
                return 1;
            }
        }
        return entries.length;
    }

    /**
     * Waits until plugin loading has settled: every plugin enabled so far has been processed by the
     * component runtime (SCR enables and activates asynchronously) and every plugin that can come up
     * is up (see {@link PluginReadiness}); at most {@code timeoutMillis}.
     */
    public void awaitLoaded(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            Promise<Void> next;
            synchronized (pending) {
                pending.removeIf(Promise::isDone);
                next = pending.isEmpty() ? null : pending.get(0);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.log(System.Logger.Level.WARNING, "plugins still loading after {0} ms; serving anyway", timeoutMillis);
                return;
            }
            if (next != null) {
                CountDownLatch done = new CountDownLatch(1);
                next.onResolve(done::countDown);
                done.await(left, TimeUnit.NANOSECONDS);
            } else if (awaitingScr.isEmpty() && readiness().settled()) {
                return;
            } else {
                Thread.sleep(5);
            }
        }
    }

    private PluginReadiness readiness() {
        List<PluginReadiness.State> states = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (PluginReadiness.isPlugin(d) && scr.isComponentEnabled(d)) {
                var configs = scr.getComponentConfigurationDTOs(d);
                if (configs.isEmpty()) {
                    states.add(new PluginReadiness.State(d, null));
                }
                for (var conf : configs) { // a factory component (the snapshotter proxies) has one per plugin
                    states.add(new PluginReadiness.State(d, conf));
                }
            }
        }
        return new PluginReadiness(states, PluginRegistry::targetMatches);
    }

    private static boolean targetMatches(String target, Map<String, Object> properties) {
        if (target == null || target.isEmpty()) {
            return true;
        }
        try {
            return FrameworkUtil.createFilter(target).matches(properties == null ? Map.of() : properties);
        } catch (InvalidSyntaxException e) {
            return false;
        }
    }

    private void retry(Bundle bundle, long since, long delayMillis) {
        retries.schedule(() -> {
            if (bundle.getState() != Bundle.ACTIVE) {
                awaitingScr.remove(bundle);
                return;
            }
            if (scr.getComponentDescriptionDTOs(bundle).size()
                    >= declaredComponents(bundle.getHeaders().get("Service-Component"))) {
                awaitingScr.remove(bundle);
                enablePlugins(bundle);
            } else if (System.nanoTime() - since > TimeUnit.SECONDS.toNanos(30)) {
                awaitingScr.remove(bundle);
                LOG.log(System.Logger.Level.WARNING, "SCR did not read the components of {0}", bundle.getSymbolicName());
            } else {
                retry(bundle, since, Math.min(delayMillis * 2, 200));
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** True if config.toml disabled the plugin {@code uri}. */
    public boolean isDisabled(String uri) {
        return disabled.contains(uri);
    }

    /** A comma-separated framework property (plugin URIs), in its order. */
    static List<String> parseList(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
