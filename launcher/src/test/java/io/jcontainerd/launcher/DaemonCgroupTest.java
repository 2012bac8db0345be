package io.jcontainerd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DaemonCgroupTest {
    @Test
    void findsTheV1AndV2HierarchiesOfAHybridHost() {
        List<String> mountinfo = List.of(
                "26 1 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755",
                "27 26 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate",
                "28 26 0:25 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd",
                "31 26 0:28 / /sys/fs/cgroup/cpuset rw,nosuid shared:14 - cgroup cgroup rw,cpuset",
                "32 26 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:15 - cgroup cgroup rw,cpu,cpuacct",
                "40 1 8:1 / /data\\040dir rw shared:1 - ext4 /dev/sda1 rw");
        assertEquals(List.of(
                new DaemonCgroup.Hierarchy(Path.of("/sys/fs/cgroup/unified"), true, false),
                new DaemonCgroup.Hierarchy(Path.of("/sys/fs/cgroup/systemd"), false, false),
                new DaemonCgroup.Hierarchy(Path.of("/sys/fs/cgroup/cpuset"), false, true),
                new DaemonCgroup.Hierarchy(Path.of("/sys/fs/cgroup/cpu,cpuacct"), false, false)),
                DaemonCgroup.hierarchies(mountinfo));
    }
}
