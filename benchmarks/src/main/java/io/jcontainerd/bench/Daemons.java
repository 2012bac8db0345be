package io.jcontainerd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** How to start each daemon under test in a private directory, and what to read from /proc. */
final class Daemons {
    private Daemons() {
    }

    /** A kind of daemon: its name and how to start one in {@code dir} serving on {@code socket}. */
    interface Kind {
        String name();

        Process start(Path dir, Path socket) throws IOException;
    }

    /** jcontainerd from the built distribution. */
    static Kind jcontainerd(Path bin) {
        return new Kind() {
            @Override
            public String name() {
                return "jcontainerd";
            }

            @Override
            public Process start(Path dir, Path socket) throws IOException {
                return new ProcessBuilder(bin.toString(), "--root", dir.resolve("root").toString(),
                        "--state", dir.resolve("state").toString(), "--address", socket.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile()).start();
            }
        };
    }

    /** The real containerd, with private root/state/sockets; {@code cri} false disables the CRI plugin. */
    static Kind containerd(String binary, boolean cri) {
        return new Kind() {
            @Override
            public String name() {
                return cri ? "containerd" : "containerd-nocri";
            }

            @Override
            public Process start(Path dir, Path socket) throws IOException {
                Path config = dir.resolve("config.toml");
                Files.writeString(config, "version = 2\n"
                        + "root = \"" + dir.resolve("root") + "\"\n"
                        + "state = \"" + dir.resolve("state") + "\"\n"
                        + (cri ? "" : "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n")
                        + "[grpc]\n  address = \"" + socket + "\"\n"
                        + "[ttrpc]\n  address = \"" + socket + ".ttrpc\"\n"
                        + "[debug]\n  address = \"" + dir.resolve("debug.sock") + "\"\n"
                        + "[plugins.\"io.containerd.grpc.v1.cri\"]\n  disable_tcp_service = true\n");
                return new ProcessBuilder(binary, "--config", config.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile()).start();
            }
        };
    }

    /** Resident set size of a process, in KiB (VmRSS). */
    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** User plus system CPU time of a process, in milliseconds. */
    static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 1000 / 100; // USER_HZ is 100 on Linux
    }

    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
