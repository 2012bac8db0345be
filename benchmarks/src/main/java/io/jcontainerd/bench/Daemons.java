package io.jcontainerd.bench;

import io.jcontainerd.itests.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        return jcontainerd(bin, "jcontainerd", "");
    }

    /** jcontainerd from the built distribution, under {@code name}, with {@code toml} as its config.toml if not empty. */
    static Kind jcontainerd(Path bin, String name, String toml) {
        return new Kind() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Process start(Path dir, Path socket) throws IOException {
                List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--root", dir.resolve("root").toString(),
                        "--state", dir.resolve("state").toString(), "--address", socket.toString()));
                if (!toml.isBlank()) {
                    Path config = Files.writeString(dir.resolve("config.toml"), toml.replace("\\n", "\n") + "\n");
                    cmd.addAll(List.of("--config", config.toString()));
                }
                return new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("daemon.log").toFile()).start();
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
        String[] f = Processes.statFields(Path.of("/proc/" + pid + "/stat"));
        return ticksToMillis(Long.parseLong(f[12]) + Long.parseLong(f[13]));
    }

    /**
     * CPU time the whole machine has spent busy (user, nice, system, irq, softirq, steal: every
     * process and the kernel's work for them), in milliseconds.
     */
    static long machineBusyMillis() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long ticks = 0;
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
            ticks += Long.parseLong(f[i]);
        }
        return ticksToMillis(ticks);
    }

    /** Clock ticks of /proc to milliseconds (USER_HZ is 100 on Linux). */
    private static long ticksToMillis(long ticks) {
        return ticks * 1000 / 100;
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

    /** Waits until {@code ctr version} answers on {@code socket}. */
    static void awaitServing(String ctr, Path socket, Process daemon) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new IOException("daemon exited with " + daemon.exitValue());
            }
            if (Files.exists(socket) && new ProcessBuilder(ctr, "-a", socket.toString(), "version")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IOException("daemon did not serve within 30 s");
    }

    /** Unmounts whatever a daemon left mounted below {@code dir} (containerd keeps none after import). */
    static void unmountUnder(Path dir) throws Exception {
        List<String> targets = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            if (mountPoint.startsWith(dir.toString() + "/")) {
                targets.add(mountPoint);
            }
        }
        java.util.Collections.reverse(targets);
        for (String t : targets) {
            new ProcessBuilder("umount", t).inheritIO().start().waitFor();
        }
    }

    /**
     * Runs {@code ctr -a socket args...} to completion (at most {@code timeoutSeconds}); answers its
     * combined output, or throws with it when ctr fails. {@code who} names the daemon in errors.
     */
    static String ctr(String ctr, Path socket, String who, long timeoutSeconds, String... args) throws Exception {
        return ctr(ctr, socket, who, timeoutSeconds, pid -> { }, args);
    }

    /** As {@link #ctr(String, Path, String, long, String...)}, telling {@code started} ctr's pid. */
    static String ctr(String ctr, Path socket, String who, long timeoutSeconds, java.util.function.LongConsumer started,
            String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ctr, "-a", socket.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        started.accept(p.pid());
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException(who + ": timed out: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new IOException(who + ": " + cmd + " exited " + p.exitValue() + ": " + new String(out));
        }
        return new String(out);
    }

    /**
     * Command-line options {@code --name value} over {@code defaults} (which name every option
     * there is); an unknown name is refused.
     */
    static java.util.Map<String, String> options(String[] args, java.util.Map<String, String> defaults) {
        java.util.Map<String, String> opt = new java.util.LinkedHashMap<>(defaults);
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
            opt.put(args[i], args[i + 1]);
        }
        return opt;
    }

    /**
     * The two daemons compared: jcontainerd from {@code --dist} (with {@code --toml} as its config.toml when
     * given), and containerd ({@code --containerd}) without CRI, or, given {@code --baseline-toml}, a second
     * jcontainerd with that config (to compare two settings of ours). A literal {@code \\n} in either is a
     * line break.
     */
    static List<Kind> sideBySide(java.util.Map<String, String> opt) {
        Path bin = Path.of(opt.get("--dist")).toAbsolutePath().resolve("bin/jcontainerd");
        Kind ours = jcontainerd(bin, "jcontainerd", opt.getOrDefault("--toml", ""));
        String baseline = opt.getOrDefault("--baseline-toml", "");
        return List.of(ours, baseline.isEmpty() ? containerd(opt.get("--containerd"), false)
                : jcontainerd(bin, "jcontainerd-baseline", baseline));
    }
}
