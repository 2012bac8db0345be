package io.jcontainerd.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * containerd's {@code [cgroup] path}: the daemon moves itself into that cgroup, created if missing. On
 * cgroup v1 (and hybrid) hosts that is every v1 hierarchy, named ones such as {@code name=systemd}
 * included; on a unified host, the cgroup v2 tree. The shims it starts then begin in it too.
 */
final class DaemonCgroup {
    private DaemonCgroup() {
    }

    /** A mounted cgroup hierarchy: where, whether v2, and whether it carries the cpuset controller. */
    record Hierarchy(Path mountPoint, boolean unified, boolean cpuset) {
    }

    static void join(String path, long pid) throws IOException {
        List<Hierarchy> all = hierarchies(Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8));
        List<Hierarchy> v1 = all.stream().filter(h -> !h.unified()).toList();
        List<Hierarchy> targets = v1.isEmpty() ? all : v1;
        if (targets.isEmpty()) {
            throw new IOException("cgroup " + path + ": no cgroup file system is mounted");
        }
        String relative = path.replaceFirst("^/+", "");
        for (Hierarchy h : targets) {
            Path dir = h.mountPoint().resolve(relative).normalize();
            if (!dir.startsWith(h.mountPoint())) {
                throw new IOException("cgroup " + path + ": outside " + h.mountPoint());
            }
            create(h, dir);
            Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
        }
    }

    /** Creates {@code dir} and its missing parents; a new cpuset cgroup gets its parent's CPUs and memory nodes. */
    private static void create(Hierarchy h, Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        create(h, dir.getParent());
        Files.createDirectory(dir);
        if (h.cpuset()) {
            for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
                if (Files.readString(dir.resolve(file)).isBlank()) {
                    Files.writeString(dir.resolve(file), Files.readString(dir.getParent().resolve(file)).strip());
                }
            }
        }
    }

    /** The cgroup hierarchies in {@code /proc/self/mountinfo} lines. */
    static List<Hierarchy> hierarchies(List<String> mountinfo) {
        List<Hierarchy> out = new ArrayList<>();
        for (String line : mountinfo) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            String type = right[0];
            if (type.equals("cgroup") || type.equals("cgroup2")) {
                boolean cpuset = type.equals("cgroup") && List.of(right[2].split(",")).contains("cpuset");
                out.add(new Hierarchy(Path.of(unescape(left[4])), type.equals("cgroup2"), cpuset));
            }
        }
        return out;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
