package io.jcontainerd.metrics;

import io.jcontainerd.plugin.DaemonFatal;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The daemon's metrics endpoint ({@code [metrics] address}): when config.toml gives an address, serves
 * the process and JVM metrics and every Prometheus {@link MultiCollector} offered as an OSGi service (the gRPC
 * server's, the build's, the cgroups task monitor's), as bundles come and go. Not a containerd plugin (containerd's daemon serves its
 * metrics itself), so it is not in the plugin list. An address that cannot be listened on ends the
 * daemon before it serves, as it ends containerd.
 */
@Component(name = "io.jcontainerd.metrics", immediate = true, service = {},
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public class MetricsEndpoint {
    private static final System.Logger LOG = System.getLogger(MetricsEndpoint.class.getName());
    /** Configuration: {@code [metrics] address} (the launcher writes this configuration only when set). */
    static final String ADDRESS = "address";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private MetricsHttp http;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeCollector")
    void addCollector(MultiCollector collector) {
        registry.register(collector);
    }

    void removeCollector(MultiCollector collector) {
        registry.unregister(collector);
    }

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        String address = String.valueOf(config.getOrDefault(ADDRESS, ""));
        if (address.isBlank()) {
            return;
        }
        // the JVM's figures (jvm_*) stand where containerd's Go runtime ones (go_*) do; process_* are the same
        JvmMetrics.builder().register(registry);
        registry.register(new AddressSpaceLimit(Path.of("/proc/self/limits")));
        try {
            http = MetricsHttp.serve(address.trim(), registry);
            LOG.log(System.Logger.Level.INFO, "serving metrics... address={0}", address.trim());
        } catch (IOException e) {
            DaemonFatal.end(context, e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        if (http != null) {
            http.close();
        }
    }
}
