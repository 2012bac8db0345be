package io.jcontainerd.monitor.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerd.cgroups.v1.BlkIOEntry;
import io.containerd.cgroups.v1.BlkIOStat;
import io.containerd.cgroups.v1.CPUStat;
import io.containerd.cgroups.v1.CPUUsage;
import io.containerd.cgroups.v1.MemoryEntry;
import io.containerd.cgroups.v1.MemoryStat;
import io.containerd.cgroups.v1.Metrics;
import io.containerd.cgroups.v1.PidsStat;
import io.jcontainerd.types.TypedValue;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CgroupsCollectorTest {
    private static String exposition(com.google.protobuf.Message m, String type, Map<String, String> labels) throws Exception {
        Map<String, GaugeSnapshot.Builder> families = new LinkedHashMap<>();
        CgroupsCollector.add(families, "t1", "ns1", labels,
                CgroupsCollector.stats(new TypedValue("type.googleapis.com/" + type, m.toByteArray())));
        List<MetricSnapshot> out = new ArrayList<>();
        families.values().forEach(b -> out.add(b.build()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(bytes, new MetricSnapshots(out));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void figuresBecomeContainerdsGaugesWithTheTaskLabels() throws Exception {
        Metrics m = Metrics.newBuilder()
                .setPids(PidsStat.newBuilder().setCurrent(3).setLimit(0))
                .setCpu(CPUStat.newBuilder().setUsage(CPUUsage.newBuilder().setTotal(13988377).setUser(10).setKernel(20)
                        .addPerCpu(5).addPerCpu(7)))
                .setMemory(MemoryStat.newBuilder().setRss(49152).setPgFault(758)
                        .setUsage(MemoryEntry.newBuilder().setUsage(1 << 20).setLimit(Long.MAX_VALUE - 4095))
                        .setKernelTcp(MemoryEntry.newBuilder().setFailcnt(2)))
                .setBlkio(BlkIOStat.newBuilder().addIoServiceBytesRecursive(
                        BlkIOEntry.newBuilder().setOp("Read").setDevice("").setMajor(8).setMinor(0).setValue(4096)))
                .build();
        String text = exposition(m, CgroupsCollector.V1_METRICS, Map.of("runtime", "io.containerd.runc.v2"));
        String l = "container_id=\"t1\",namespace=\"ns1\",runtime=\"io.containerd.runc.v2\"";
        assertTrue(text.contains("# TYPE container_pids_current gauge\n"), text);
        assertTrue(text.contains("container_pids_current{" + l + "} 3.0\n"), text);
        assertTrue(text.contains("container_pids_limit{" + l + "} 0.0\n"), text);
        assertTrue(text.contains("container_cpu_total_nanoseconds{" + l + "} 1.3988377E7\n"), text);
        assertTrue(text.contains("container_cpu_kernel_nanoseconds{" + l + "} 20.0\n"), text);
        assertTrue(text.lines().anyMatch(x -> x.startsWith("container_per_cpu_nanoseconds{") && x.contains("cpu=\"0\"")
                && x.contains("container_id=\"t1\"") && x.endsWith("} 5.0")), text);
        assertTrue(text.lines().anyMatch(x -> x.startsWith("container_per_cpu_nanoseconds{") && x.contains("cpu=\"1\"")
                && x.endsWith("} 7.0")), text);
        assertTrue(text.contains("# HELP container_memory_rss_bytes The rss amount used\n"), text);
        assertTrue(text.contains("container_memory_rss_bytes{" + l + "} 49152.0\n"), text);
        assertTrue(text.contains("container_memory_pgfault_bytes{" + l + "} 758.0\n"), text);
        assertTrue(text.contains("# HELP container_memory_usage_limit_bytes The memory limit\n"), text);
        assertTrue(text.contains("container_memory_usage_usage_bytes{" + l + "} 1048576.0\n"), text);
        assertTrue(text.contains("container_memory_kerneltcp_failcnt_total{" + l + "} 2.0\n"), text);
        assertTrue(text.contains("container_blkio_io_service_bytes_recursive_bytes{"), text);
        assertTrue(text.contains("major=\"8\",minor=\"0\""), text);
        assertTrue(text.contains("op=\"Read\""), text);
        // no hugetlb figures, no hugetlb samples
        assertFalse(text.contains("container_hugetlb_"), text);
    }

    @Test
    void absentGroupsGiveNoSamples() throws Exception {
        String text = exposition(Metrics.newBuilder().setPids(PidsStat.newBuilder().setCurrent(1)).build(),
                CgroupsCollector.V1_METRICS, Map.of());
        assertTrue(text.contains("container_pids_current{container_id=\"t1\",namespace=\"ns1\"} 1.0\n"), text);
        assertFalse(text.contains("container_cpu_"), text);
        assertFalse(text.contains("container_memory_"), text);
        assertFalse(text.contains("container_blkio_"), text);
    }

    @Test
    void everyNameIsContainerdsAndUnique() {
        List<String> names = CgroupV1Metrics.ALL.stream().map(Metric::name).toList();
        assertEquals(names.size(), names.stream().distinct().count());
        assertEquals(2 + 7 + 48 + 3 + 7, names.size()); // pids, cpu, memory, hugetlb, blkio
        assertTrue(names.contains("container_memory_hierarchical_memsw_limit_bytes"));
        assertTrue(names.contains("container_cpu_throttled_time_nanoseconds"));
        assertTrue(names.contains("container_hugetlb_failcnt_total"));
        assertTrue(names.contains("container_blkio_sectors_recursive_total"));
    }

    @Test
    void uint64FiguresStayPositive() {
        assertEquals(18446744073709551615.0, Metric.unsigned(-1L));
        assertEquals(9223372036854771712.0, Metric.unsigned(9223372036854771712L));
    }

    @Test
    void unifiedHostFiguresBecomeContainerdsV2Gauges() throws Exception {
        io.containerd.cgroups.v2.Metrics m = io.containerd.cgroups.v2.Metrics.newBuilder()
                .setPids(io.containerd.cgroups.v2.PidsStat.newBuilder().setCurrent(2).setLimit(100))
                .setCpu(io.containerd.cgroups.v2.CPUStat.newBuilder().setUsageUsec(1500).setNrThrottled(3))
                .setMemory(io.containerd.cgroups.v2.MemoryStat.newBuilder().setUsage(4096).setUsageLimit(-1L).setAnon(8192))
                .setMemoryEvents(io.containerd.cgroups.v2.MemoryEvents.newBuilder().setOom(1))
                .setIo(io.containerd.cgroups.v2.IOStat.newBuilder().addUsage(
                        io.containerd.cgroups.v2.IOEntry.newBuilder().setMajor(254).setMinor(1).setRbytes(512).setWios(4)))
                .build();
        String text = exposition(m, CgroupsCollector.V2_METRICS, Map.of("runtime", "io.containerd.runc.v2"));
        String l = "container_id=\"t1\",namespace=\"ns1\",runtime=\"io.containerd.runc.v2\"";
        assertTrue(text.contains("# HELP container_pids_current The current number of pids (cgroup v2)\n"), text);
        assertTrue(text.contains("container_pids_limit{" + l + "} 100.0\n"), text);
        assertTrue(text.contains("container_cpu_usage_usec_microseconds{" + l + "} 1500.0\n"), text);
        assertTrue(text.contains("container_cpu_nr_throttled_total{" + l + "} 3.0\n"), text);
        assertTrue(text.contains("container_memory_usage_bytes{" + l + "} 4096.0\n"), text);
        assertTrue(text.contains("container_memory_usage_limit_bytes{" + l + "} 1.8446744073709552E19\n"), text);
        assertTrue(text.contains("# HELP container_memory_anon_bytes The anon amount\n"), text);
        assertTrue(text.contains("container_memory_oom_total{" + l + "} 1.0\n"), text);
        assertTrue(text.lines().anyMatch(x -> x.startsWith("container_io_rbytes_bytes{") && x.contains("major=\"254\"")
                && x.contains("minor=\"1\"") && x.endsWith("} 512.0")), text);
        assertTrue(text.lines().anyMatch(x -> x.startsWith("container_io_wios_total{") && x.endsWith("} 4.0")), text);
        assertFalse(text.contains("container_cpu_total_nanoseconds"), "no v1 names for v2 figures");
        List<String> names = CgroupV2Metrics.ALL.stream().map(Metric::name).toList();
        assertEquals(2 + 6 + 35 + 1 + 4, names.size()); // pids, cpu, memory, memory events, io: containerd 1.6's 48
        assertEquals(names.size(), names.stream().distinct().count());
    }

    @Test
    void statsOfAnotherKindAreRefused() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> CgroupsCollector.stats(new TypedValue("type.googleapis.com/other.Stats", new byte[0])));
        assertEquals("not cgroup figures: type.googleapis.com/other.Stats", e.getMessage());
    }
}
