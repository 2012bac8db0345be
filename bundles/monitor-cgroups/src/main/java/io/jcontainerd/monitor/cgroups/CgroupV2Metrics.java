package io.jcontainerd.monitor.cgroups;

import io.containerd.cgroups.v2.IOEntry;
import io.containerd.cgroups.v2.MemoryStat;
import io.containerd.cgroups.v2.Metrics;
import io.jcontainerd.monitor.cgroups.Metric.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The metrics a task's cgroup v2 figures ({@code io.containerd.cgroups.v2.Metrics}, what the shim's
 * Stats answers on a unified host) give, under the names, units and labels containerd 1.6's v2
 * monitor exports them with: all gauges, {@code container_<name>_<unit>}.
 */
final class CgroupV2Metrics {
    private CgroupV2Metrics() {
    }

    static final List<Metric<Metrics>> ALL = all();

    private static List<Metric<Metrics>> all() {
        List<Metric<Metrics>> m = new ArrayList<>();
        m.add(scalar("pids_limit", "The limit to the number of pids allowed (cgroup v2)", Metrics::hasPids, s -> s.getPids().getLimit()));
        m.add(scalar("pids_current", "The current number of pids (cgroup v2)", Metrics::hasPids, s -> s.getPids().getCurrent()));
        m.add(scalar("cpu_usage_usec_microseconds", "Total cpu usage (cgroup v2)", Metrics::hasCpu, s -> s.getCpu().getUsageUsec()));
        m.add(scalar("cpu_user_usec_microseconds", "Current cpu usage in user space (cgroup v2)", Metrics::hasCpu,
                s -> s.getCpu().getUserUsec()));
        m.add(scalar("cpu_system_usec_microseconds", "Current cpu usage in kernel space (cgroup v2)", Metrics::hasCpu,
                s -> s.getCpu().getSystemUsec()));
        m.add(scalar("cpu_nr_periods_total", "Current cpu number of periods (only if controller is enabled)", Metrics::hasCpu,
                s -> s.getCpu().getNrPeriods()));
        m.add(scalar("cpu_nr_throttled_total", "Total number of times tasks have been throttled (only if controller is enabled)",
                Metrics::hasCpu, s -> s.getCpu().getNrThrottled()));
        m.add(scalar("cpu_throttled_usec_microseconds",
                "Total time duration for which tasks have been throttled. (only if controller is enabled)", Metrics::hasCpu,
                s -> s.getCpu().getThrottledUsec()));
        memory(m, "usage", "Current memory usage (cgroup v2)", MemoryStat::getUsage);
        memory(m, "usage_limit", "Current memory usage limit (cgroup v2)", MemoryStat::getUsageLimit);
        memory(m, "swap_usage", "Current swap usage (cgroup v2)", MemoryStat::getSwapUsage);
        memory(m, "swap_limit", "Current swap usage limit (cgroup v2)", MemoryStat::getSwapLimit);
        amount(m, "file_mapped", MemoryStat::getFileMapped);
        amount(m, "file_dirty", MemoryStat::getFileDirty);
        amount(m, "file_writeback", MemoryStat::getFileWriteback);
        amount(m, "pgactivate", MemoryStat::getPgactivate);
        amount(m, "pgdeactivate", MemoryStat::getPgdeactivate);
        amount(m, "pgfault", MemoryStat::getPgfault);
        amount(m, "pgmajfault", MemoryStat::getPgmajfault);
        amount(m, "pglazyfree", MemoryStat::getPglazyfree);
        amount(m, "pgrefill", MemoryStat::getPgrefill);
        amount(m, "pglazyfreed", MemoryStat::getPglazyfreed);
        amount(m, "pgscan", MemoryStat::getPgscan);
        amount(m, "pgsteal", MemoryStat::getPgsteal);
        amount(m, "inactive_anon", MemoryStat::getInactiveAnon);
        amount(m, "active_anon", MemoryStat::getActiveAnon);
        amount(m, "inactive_file", MemoryStat::getInactiveFile);
        amount(m, "active_file", MemoryStat::getActiveFile);
        amount(m, "unevictable", MemoryStat::getUnevictable);
        amount(m, "anon", MemoryStat::getAnon);
        amount(m, "file", MemoryStat::getFile);
        amount(m, "kernel_stack", MemoryStat::getKernelStack);
        amount(m, "slab", MemoryStat::getSlab);
        amount(m, "sock", MemoryStat::getSock);
        amount(m, "shmem", MemoryStat::getShmem);
        amount(m, "anon_thp", MemoryStat::getAnonThp);
        amount(m, "slab_reclaimable", MemoryStat::getSlabReclaimable);
        amount(m, "slab_unreclaimable", MemoryStat::getSlabUnreclaimable);
        amount(m, "workingset_refault", MemoryStat::getWorkingsetRefault);
        amount(m, "workingset_activate", MemoryStat::getWorkingsetActivate);
        amount(m, "workingset_nodereclaim", MemoryStat::getWorkingsetNodereclaim);
        amount(m, "thp_fault_alloc", MemoryStat::getThpFaultAlloc);
        amount(m, "thp_collapse_alloc", MemoryStat::getThpCollapseAlloc);
        m.add(scalar("memory_oom_total", "The number of times a container has received an oom event",
                Metrics::hasMemoryEvents, s -> s.getMemoryEvents().getOom()));
        io(m, "rbytes_bytes", "IO bytes read", IOEntry::getRbytes);
        io(m, "wbytes_bytes", "IO bytes written", IOEntry::getWbytes);
        io(m, "rios_total", "Number of read IOs", IOEntry::getRios);
        io(m, "wios_total", "Number of write IOs", IOEntry::getWios);
        return List.copyOf(m);
    }

    private static Metric<Metrics> scalar(String nameAndUnit, String help, Predicate<Metrics> present,
            ToLongFunction<Metrics> value) {
        return new Metric<>("container_" + nameAndUnit, help, List.of(),
                s -> present.test(s) ? Sample.one(value.applyAsLong(s)) : List.of());
    }

    private static void memory(List<Metric<Metrics>> m, String name, String help, ToLongFunction<MemoryStat> value) {
        m.add(scalar("memory_" + name + "_bytes", help, Metrics::hasMemory, s -> value.applyAsLong(s.getMemory())));
    }

    /** A memory.stat figure, as containerd names them: "The &lt;name&gt; amount", in bytes. */
    private static void amount(List<Metric<Metrics>> m, String name, ToLongFunction<MemoryStat> value) {
        memory(m, name, "The " + name + " amount", value);
    }

    private static void io(List<Metric<Metrics>> m, String nameAndUnit, String help, ToLongFunction<IOEntry> value) {
        m.add(new Metric<>("container_io_" + nameAndUnit, help, List.of("major", "minor"), s -> {
            if (!s.hasIo()) {
                return List.of();
            }
            List<Sample> out = new ArrayList<>();
            for (IOEntry e : s.getIo().getUsageList()) {
                out.add(new Sample(Metric.unsigned(value.applyAsLong(e)),
                        List.of(Long.toUnsignedString(e.getMajor()), Long.toUnsignedString(e.getMinor()))));
            }
            return out;
        }));
    }
}
