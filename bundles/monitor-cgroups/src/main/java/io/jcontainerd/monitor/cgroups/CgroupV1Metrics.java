package io.jcontainerd.monitor.cgroups;

import io.containerd.cgroups.v1.BlkIOEntry;
import io.containerd.cgroups.v1.HugetlbStat;
import io.containerd.cgroups.v1.MemoryEntry;
import io.containerd.cgroups.v1.MemoryStat;
import io.containerd.cgroups.v1.Metrics;
import io.jcontainerd.monitor.cgroups.Metric.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The metrics a task's cgroup v1 figures ({@code io.containerd.cgroups.v1.Metrics}, as the shim's Stats
 * answers them) give, under the names, units and labels containerd 1.6 exports them with: all gauges,
 * named {@code container_<name>_<unit>}, labelled {@code container_id} and {@code namespace} first.
 * Figures absent from a task's stats give no sample.
 */
final class CgroupV1Metrics {
    private CgroupV1Metrics() {
    }

    static final List<Metric<Metrics>> ALL = all();

    private static List<Metric<Metrics>> all() {
        List<Metric<Metrics>> m = new ArrayList<>();
        // pids
        m.add(scalar("pids", "limit", "The limit to the number of pids allowed", s -> s.hasPids(), s -> s.getPids().getLimit()));
        m.add(scalar("pids", "current", "The current number of pids", s -> s.hasPids(), s -> s.getPids().getCurrent()));
        // cpu
        m.add(scalar("cpu_total", "nanoseconds", "The total cpu time", Metrics::hasCpu, s -> s.getCpu().getUsage().getTotal()));
        m.add(scalar("cpu_kernel", "nanoseconds", "The total kernel cpu time", Metrics::hasCpu, s -> s.getCpu().getUsage().getKernel()));
        m.add(scalar("cpu_user", "nanoseconds", "The total user cpu time", Metrics::hasCpu, s -> s.getCpu().getUsage().getUser()));
        m.add(new Metric<>("container_per_cpu_nanoseconds", "The total cpu time per cpu", List.of("cpu"), s -> {
            if (!s.hasCpu()) {
                return List.of();
            }
            List<Long> per = s.getCpu().getUsage().getPerCpuList();
            List<Sample> out = new ArrayList<>(per.size());
            for (int i = 0; i < per.size(); i++) {
                out.add(new Sample(Metric.unsigned(per.get(i)), List.of(String.valueOf(i))));
            }
            return out;
        }));
        m.add(scalar("cpu_throttle_periods", "total", "The total cpu throttle periods", Metrics::hasCpu,
                s -> s.getCpu().getThrottling().getPeriods()));
        m.add(scalar("cpu_throttled_periods", "total", "The total cpu throttled periods", Metrics::hasCpu,
                s -> s.getCpu().getThrottling().getThrottledPeriods()));
        m.add(scalar("cpu_throttled_time", "nanoseconds", "The total cpu throttled time", Metrics::hasCpu,
                s -> s.getCpu().getThrottling().getThrottledTime()));
        // memory: the memory.stat figures, then the four counters of usage, swap, kernel and kernel tcp
        memoryStat(m, "cache", "The cache amount used", MemoryStat::getCache);
        memoryStat(m, "rss", "The rss amount used", MemoryStat::getRss);
        memoryStat(m, "rss_huge", "The rss_huge amount used", MemoryStat::getRssHuge);
        memoryStat(m, "mapped_file", "The mapped_file amount used", MemoryStat::getMappedFile);
        memoryStat(m, "dirty", "The dirty amount", MemoryStat::getDirty);
        memoryStat(m, "writeback", "The writeback amount", MemoryStat::getWriteback);
        memoryStat(m, "pgpgin", "The pgpgin amount", MemoryStat::getPgPgIn);
        memoryStat(m, "pgpgout", "The pgpgout amount", MemoryStat::getPgPgOut);
        memoryStat(m, "pgfault", "The pgfault amount", MemoryStat::getPgFault);
        memoryStat(m, "pgmajfault", "The pgmajfault amount", MemoryStat::getPgMajFault);
        memoryStat(m, "inactive_anon", "The inactive_anon amount", MemoryStat::getInactiveAnon);
        memoryStat(m, "active_anon", "The active_anon amount", MemoryStat::getActiveAnon);
        memoryStat(m, "inactive_file", "The inactive_file amount", MemoryStat::getInactiveFile);
        memoryStat(m, "active_file", "The active_file amount", MemoryStat::getActiveFile);
        memoryStat(m, "unevictable", "The unevictable amount", MemoryStat::getUnevictable);
        memoryStat(m, "hierarchical_memory_limit", "The hierarchical_memory_limit amount", MemoryStat::getHierarchicalMemoryLimit);
        memoryStat(m, "hierarchical_memsw_limit", "The hierarchical_memsw_limit amount", MemoryStat::getHierarchicalSwapLimit);
        memoryStat(m, "total_cache", "The total_cache amount used", MemoryStat::getTotalCache);
        memoryStat(m, "total_rss", "The total_rss amount used", MemoryStat::getTotalRss);
        memoryStat(m, "total_rss_huge", "The total_rss_huge amount used", MemoryStat::getTotalRssHuge);
        memoryStat(m, "total_mapped_file", "The total_mapped_file amount used", MemoryStat::getTotalMappedFile);
        memoryStat(m, "total_dirty", "The total_dirty amount", MemoryStat::getTotalDirty);
        memoryStat(m, "total_writeback", "The total_writeback amount", MemoryStat::getTotalWriteback);
        memoryStat(m, "total_pgpgin", "The total_pgpgin amount", MemoryStat::getTotalPgPgIn);
        memoryStat(m, "total_pgpgout", "The total_pgpgout amount", MemoryStat::getTotalPgPgOut);
        memoryStat(m, "total_pgfault", "The total_pgfault amount", MemoryStat::getTotalPgFault);
        memoryStat(m, "total_pgmajfault", "The total_pgmajfault amount", MemoryStat::getTotalPgMajFault);
        memoryStat(m, "total_inactive_anon", "The total_inactive_anon amount", MemoryStat::getTotalInactiveAnon);
        memoryStat(m, "total_active_anon", "The total_active_anon amount", MemoryStat::getTotalActiveAnon);
        memoryStat(m, "total_inactive_file", "The total_inactive_file amount", MemoryStat::getTotalInactiveFile);
        memoryStat(m, "total_active_file", "The total_active_file amount", MemoryStat::getTotalActiveFile);
        memoryStat(m, "total_unevictable", "The total_unevictable amount", MemoryStat::getTotalUnevictable);
        memoryEntry(m, "usage", "memory", MemoryStat::getUsage);
        memoryEntry(m, "swap", "swap", MemoryStat::getSwap);
        memoryEntry(m, "kernel", "kernel", MemoryStat::getKernel);
        memoryEntry(m, "kerneltcp", "kerneltcp", MemoryStat::getKernelTcp);
        // hugetlb, by page size
        hugetlb(m, "usage", "bytes", "The hugetlb usage", HugetlbStat::getUsage);
        hugetlb(m, "failcnt", "total", "The hugetlb failcnt", HugetlbStat::getFailcnt);
        hugetlb(m, "max", "bytes", "The hugetlb maximum usage", HugetlbStat::getMax);
        // blkio, by operation and device
        blkio(m, "io_merged_recursive", "total", s -> s.getBlkio().getIoMergedRecursiveList());
        blkio(m, "io_queued_recursive", "total", s -> s.getBlkio().getIoQueuedRecursiveList());
        blkio(m, "io_service_bytes_recursive", "bytes", s -> s.getBlkio().getIoServiceBytesRecursiveList());
        blkio(m, "io_service_time_recursive", "total", s -> s.getBlkio().getIoServiceTimeRecursiveList());
        blkio(m, "io_serviced_recursive", "total", s -> s.getBlkio().getIoServicedRecursiveList());
        blkio(m, "io_time_recursive", "total", s -> s.getBlkio().getIoTimeRecursiveList());
        blkio(m, "sectors_recursive", "total", s -> s.getBlkio().getSectorsRecursiveList());
        return List.copyOf(m);
    }

    private static Metric<Metrics> scalar(String name, String unit, String help, java.util.function.Predicate<Metrics> present,
            ToLongFunction<Metrics> value) {
        return new Metric<>("container_" + name + "_" + unit, help, List.of(),
                s -> present.test(s) ? Sample.one(value.applyAsLong(s)) : List.of());
    }

    private static void memoryStat(List<Metric<Metrics>> m, String name, String help, ToLongFunction<MemoryStat> value) {
        m.add(scalar("memory_" + name, "bytes", help, Metrics::hasMemory, s -> value.applyAsLong(s.getMemory())));
    }

    /** {@code what} names the entry in the help texts ("The memory limit", "The swap limit", …). */
    private static void memoryEntry(List<Metric<Metrics>> m, String name, String what, Function<MemoryStat, MemoryEntry> entry) {
        String subject = what.equals("memory") ? "usage" : what;
        m.add(scalar("memory_" + name + "_failcnt", "total", "The " + subject + " failcnt", Metrics::hasMemory,
                s -> entry.apply(s.getMemory()).getFailcnt()));
        m.add(scalar("memory_" + name + "_limit", "bytes", "The " + what + " limit", Metrics::hasMemory,
                s -> entry.apply(s.getMemory()).getLimit()));
        m.add(scalar("memory_" + name + "_max", "bytes", "The " + what + " maximum usage", Metrics::hasMemory,
                s -> entry.apply(s.getMemory()).getMax()));
        m.add(scalar("memory_" + name + "_usage", "bytes", "The " + what + " usage", Metrics::hasMemory,
                s -> entry.apply(s.getMemory()).getUsage()));
    }

    private static void hugetlb(List<Metric<Metrics>> m, String name, String unit, String help, ToLongFunction<HugetlbStat> value) {
        m.add(new Metric<>("container_hugetlb_" + name + "_" + unit, help, List.of("page"), s -> {
            List<Sample> out = new ArrayList<>();
            for (HugetlbStat h : s.getHugetlbList()) {
                out.add(new Sample(Metric.unsigned(value.applyAsLong(h)), List.of(h.getPagesize())));
            }
            return out;
        }));
    }

    private static void blkio(List<Metric<Metrics>> m, String name, String unit, Function<Metrics, List<BlkIOEntry>> entries) {
        String help = "The blkio " + name.replace('_', ' ');
        m.add(new Metric<>("container_blkio_" + name + "_" + unit, help, List.of("op", "device", "major", "minor"), s -> {
            if (!s.hasBlkio()) {
                return List.of();
            }
            List<Sample> out = new ArrayList<>();
            for (BlkIOEntry e : entries.apply(s)) {
                out.add(new Sample(Metric.unsigned(e.getValue()), List.of(e.getOp(), e.getDevice(),
                        Long.toUnsignedString(e.getMajor()), Long.toUnsignedString(e.getMinor()))));
            }
            return out;
        }));
    }

}
