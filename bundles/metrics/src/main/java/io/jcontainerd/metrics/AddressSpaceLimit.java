package io.jcontainerd.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code process_virtual_memory_max_bytes}, the one process metric of containerd's (Go's process
 * collector) that the Java client's process metrics lack: the soft limit on the address space, from
 * {@code /proc/self/limits}, "unlimited" being the largest uint64 as Go reports it.
 */
final class AddressSpaceLimit implements MultiCollector {
    private static final double UNLIMITED = 18446744073709551615.0;
    private final Path limits;

    AddressSpaceLimit(Path limits) {
        this.limits = limits;
    }

    @Override
    public MetricSnapshots collect() {
        Double max = read();
        if (max == null) {
            return new MetricSnapshots();
        }
        return MetricSnapshots.of(GaugeSnapshot.builder().name("process_virtual_memory_max_bytes")
                .help("Maximum amount of virtual memory available in bytes.")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(max).build()).build());
    }

    /** The soft limit of the "Max address space" line, or null if there is none to read. */
    Double read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(limits);
        } catch (IOException e) {
            return null;
        }
        for (String line : lines) {
            if (line.startsWith("Max address space")) {
                String[] f = line.substring("Max address space".length()).trim().split("\\s+");
                return f[0].equals("unlimited") ? UNLIMITED : Double.parseDouble(f[0]);
            }
        }
        return null;
    }
}
