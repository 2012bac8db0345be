package io.jcontainerd.version.grpc;

import containerd.services.version.v1.VersionResponse;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.osgi.service.component.annotations.Component;

/**
 * {@code containerd_build_info_total}, the metric containerd exports its version and revision with,
 * here jcontainerd's as the version service reports them. Not a plugin: the metrics endpoint serves it.
 */
@Component(name = "io.jcontainerd.version.buildinfo", service = MultiCollector.class)
public class BuildInfoMetric implements MultiCollector {
    private final MetricSnapshots snapshot;

    public BuildInfoMetric() {
        VersionResponse v = VersionGrpcPlugin.load();
        snapshot = MetricSnapshots.of(CounterSnapshot.builder().name("containerd_build_info")
                .help("containerd build information")
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                        .labels(Labels.of("revision", v.getRevision(), "version", v.getVersion())).value(1).build())
                .build());
    }

    @Override
    public MetricSnapshots collect() {
        return snapshot;
    }
}
