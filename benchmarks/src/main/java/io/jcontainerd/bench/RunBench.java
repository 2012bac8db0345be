package io.jcontainerd.bench;

import io.jcontainerd.itests.Processes;
import io.jcontainerd.itests.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Run benchmark: {@code ctr run --rm <busybox> <id> true} against a jcontainerd and a containerd
 * 1.6.20 started side by side (each in a private directory, each with the same busybox image
 * imported), with the real shim and runc. Measured twice: after a start ({@code --warmup} runs on
 * each), and as running daemons ({@code --settle} more runs on each, two at a time, so that the
 * JIT has settled as in a daemon that has been in use). Each time, {@code --runs} sequential runs
 * alternate between the daemons (p50/p95 of each, and each daemon's own CPU time per run); then
 * {@code --parallel} runs at once, {@code --rounds} times alternating, whose wall time is the time to
 * the last one's end (median of the rounds). During those rounds the whole machine's busy CPU time
 * per run is counted too (ctr, shims, runc, kernel and daemon: what bounds parallel runs on few
 * cores), from a round's start to {@value #QUIET_MS} ms after its end, when the daemon's work after
 * the last answer is done. Ratios are ours/containerd: lower is faster. With {@code --phases yes} (root)
 * the last measurement's sequential runs are also split into phases from the kernel's process events
 * ({@link RunPhases}): before the task, the shim's start, the task's create, the run, the tail.
 *
 * <pre>
 * java -cp ... io.jcontainerd.bench.RunBench [--runs 30] [--parallel 10] [--rounds 3] [--warmup 10] [--settle 200]
 *     [--phases no] [--dist dist/target/jcontainerd] [--containerd /usr/bin/containerd] [--ctr ctr]
 * </pre>
 */
public final class RunBench {
    private static final String IMAGE = "docker.io/library/busybox:latest";
    private static final int SETTLE_AT_ONCE = 2;
    /** For runs whose ctr pid nobody needs. */
    private static final LongConsumer NO_PID = pid -> { };
    /** How long after a parallel round the machine's CPU is still counted for it (before the next). */
    private static final long QUIET_MS = 1000;

    private RunBench() {
    }

    /** One daemon under test: its kind, process, socket and a namespace of its own (cgroups are per namespace). */
    private record Side(Daemons.Kind kind, Process process, Path socket, String namespace) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = Daemons.options(args, Map.ofEntries(Map.entry("--runs", "30"),
                Map.entry("--parallel", "10"), Map.entry("--rounds", "3"), Map.entry("--warmup", "10"),
                Map.entry("--settle", "200"), Map.entry("--phases", "no"), Map.entry("--dist", "dist/target/jcontainerd"),
                Map.entry("--containerd", "/usr/bin/containerd"), Map.entry("--ctr", "ctr"), Map.entry("--toml", ""),
                Map.entry("--baseline-toml", "")));
        String ctr = opt.get("--ctr");
        int runs = Integer.parseInt(opt.get("--runs"));
        int parallel = Integer.parseInt(opt.get("--parallel"));
        int rounds = Integer.parseInt(opt.get("--rounds"));
        int warmup = Integer.parseInt(opt.get("--warmup"));
        int settle = Integer.parseInt(opt.get("--settle"));
        boolean phases = "yes".equals(opt.get("--phases"));
        List<Daemons.Kind> kinds = Daemons.sideBySide(opt);
        Path work = Files.createTempDirectory("jcd-runbench-");
        String tag = Long.toHexString(System.nanoTime() & 0xffffff);
        List<Side> sides = new ArrayList<>();
        try {
            Path tar;
            try (TestImages.Image img = TestImages.busybox(IMAGE)) {
                tar = img.writeOciArchive(work.resolve("busybox.tar"));
            }
            for (Daemons.Kind k : kinds) {
                Path dir = Files.createDirectories(work.resolve(k.name()));
                Path socket = dir.resolve("d.sock");
                Process p = k.start(dir, socket);
                Side side = new Side(k, p, socket, "runbench-" + tag + "-" + sides.size());
                sides.add(side);
                Daemons.awaitServing(ctr, socket, p);
                ctrOk(ctr, side, 120, NO_PID, "images", "import", tar.toString());
            }
            for (Side s : sides) {
                for (int i = 0; i < warmup; i++) {
                    run(ctr, s, "w" + i, NO_PID);
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(parallel, SETTLE_AT_ONCE));
            try {
                Figures fresh = measure(ctr, sides, runs, parallel, rounds, pool, "a", phases && settle == 0);
                for (Side s : sides) {
                    settle(ctr, s, settle, pool);
                }
                Figures running = settle > 0 ? measure(ctr, sides, runs, parallel, rounds, pool, "b", phases) : null;
                String ours = kinds.get(0).name();
                String theirs = kinds.get(1).name();
                report("after a start (" + warmup + " runs each before)", fresh, ours, theirs, parallel, rounds);
                if (running != null) {
                    report("running daemons (" + settle + " more runs each before)", running, ours, theirs,
                            parallel, rounds);
                }
                Figures last = running != null ? running : fresh;
                if (last.phases() != null) {
                    reportPhases(last.phases(), ours, theirs);
                }
            } finally {
                pool.shutdownNow();
            }
        } finally {
            for (Side s : sides) {
                Daemons.stop(s.process());
                // containerd's runc keeps its namespace's state under its default root; the directory stays empty
                Files.deleteIfExists(Path.of("/run/containerd/runc", s.namespace()));
                // ctr puts each container in /<namespace>/<id>; runc leaves the namespace's cgroup
                Processes.removeAddedCgroups(s.namespace(), java.util.Set.of());
            }
            Daemons.unmountUnder(work);
            Daemons.deleteTree(work);
        }
    }

    /**
     * Sequential times and parallel wall times (seconds), the daemon's CPU per sequential run, and the
     * machine's and the daemon's CPU per parallel run (milliseconds), of each daemon by its name; the
     * sequential runs' phases (milliseconds, {@link RunPhases#NAMES}) when traced, else null.
     */
    private record Figures(Map<String, List<Double>> sequential, Map<String, List<Double>> wall,
            Map<String, Double> daemonCpu, Map<String, List<Double>> machineCpu, Map<String, List<Double>> parallelDaemonCpu,
            Map<String, List<Map<String, Double>>> phases) {
    }

    /**
     * {@code runs} sequential runs alternating between the daemons (each daemon goes first every other
     * time), then {@code rounds} times {@code parallel} runs at once on each, alternating.
     */
    private static Figures measure(String ctr, List<Side> sides, int runs, int parallel, int rounds,
            ExecutorService pool, String phase, boolean tracePhases) throws Exception {
        Map<String, List<Double>> sequential = new LinkedHashMap<>();
        Map<String, Long> cpu0 = new LinkedHashMap<>();
        for (Side s : sides) {
            cpu0.put(s.kind().name(), Daemons.cpuMillis(s.process().pid()));
        }
        Map<Long, String> ctrPids = new LinkedHashMap<>();
        Map<String, List<Map<String, Double>>> phases = null;
        try (RunPhases trace = tracePhases ? RunPhases.start() : null) {
            for (int i = 0; i < runs; i++) {
                for (int j = 0; j < sides.size(); j++) {
                    Side s = sides.get((i + j) % sides.size());
                    sequential.computeIfAbsent(s.kind().name(), n -> new ArrayList<>())
                            .add(run(ctr, s, phase + "s" + i, pid -> ctrPids.put(pid, s.kind().name())));
                }
            }
            if (trace != null) {
                phases = new LinkedHashMap<>();
                for (Map.Entry<Long, Map<String, Double>> e : trace.phases(List.copyOf(ctrPids.keySet())).entrySet()) {
                    phases.computeIfAbsent(ctrPids.get(e.getKey()), n -> new ArrayList<>()).add(e.getValue());
                }
            }
        }
        Map<String, Double> daemonCpu = new LinkedHashMap<>();
        for (Side s : sides) {
            String name = s.kind().name();
            daemonCpu.put(name, (double) (Daemons.cpuMillis(s.process().pid()) - cpu0.get(name)) / runs);
        }
        Map<String, List<Double>> wall = new LinkedHashMap<>();
        Map<String, List<Double>> machineCpu = new LinkedHashMap<>();
        Map<String, List<Double>> parallelDaemonCpu = new LinkedHashMap<>();
        Thread.sleep(QUIET_MS); // the sequential runs' after-work is not counted in the first round
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < sides.size(); j++) {
                Side s = sides.get((r + j) % sides.size());
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < parallel; i++) {
                    ids.add(phase + "p" + r + "-" + i);
                }
                long busy0 = Daemons.machineBusyMillis();
                long own0 = Daemons.cpuMillis(s.process().pid());
                long t0 = System.nanoTime();
                runTogether(ctr, s, ids, pool);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Thread.sleep(QUIET_MS); // this round's after-work, done before the next round starts
                double cpuPerRun = (double) (Daemons.machineBusyMillis() - busy0) / parallel;
                double ownPerRun = (double) (Daemons.cpuMillis(s.process().pid()) - own0) / parallel;
                wall.computeIfAbsent(s.kind().name(), n -> new ArrayList<>()).add(seconds);
                machineCpu.computeIfAbsent(s.kind().name(), n -> new ArrayList<>()).add(cpuPerRun);
                parallelDaemonCpu.computeIfAbsent(s.kind().name(), n -> new ArrayList<>()).add(ownPerRun);
                System.out.printf("%s: parallel round %d %-16s %.3f s, CPU per run: machine %.0f ms, daemon %.0f ms%n",
                        phase, r + 1, s.kind().name(), seconds, cpuPerRun, ownPerRun);
            }
        }
        return new Figures(sequential, wall, daemonCpu, machineCpu, parallelDaemonCpu, phases);
    }

    /** {@code count} more runs on one daemon, {@value #SETTLE_AT_ONCE} at a time, as a daemon in use has had. */
    private static void settle(String ctr, Side side, int count, ExecutorService pool) throws Exception {
        for (int i = 0; i < count; i += SETTLE_AT_ONCE) {
            List<String> ids = new ArrayList<>();
            for (int j = i; j < Math.min(count, i + SETTLE_AT_ONCE); j++) {
                ids.add("settle" + j);
            }
            runTogether(ctr, side, ids, pool);
        }
    }

    /** One run per id on one daemon, all at once; returns when the last has ended. */
    private static void runTogether(String ctr, Side side, List<String> ids, ExecutorService pool) throws Exception {
        List<Future<Double>> all = new ArrayList<>();
        for (String id : ids) {
            all.add(pool.submit(() -> run(ctr, side, id, NO_PID)));
        }
        for (Future<Double> f : all) {
            f.get(300, TimeUnit.SECONDS);
        }
    }

    private static void report(String title, Figures f, String ours, String theirs, int parallel, int rounds) {
        System.out.println(title + ":");
        for (String name : List.of(ours, theirs)) {
            List<Double> v = f.sequential().get(name);
            System.out.printf("  %-16s sequential p50 %.1f ms, p95 %.1f ms (%d runs); %d parallel: %.3f s (median of %d)%n",
                    name, percentile(v, 50) * 1e3, percentile(v, 95) * 1e3, v.size(), parallel,
                    Daemons.median(f.wall().get(name)), rounds);
            System.out.printf("  %-16s CPU per run: daemon %.0f ms (sequential runs); parallel (medians): whole machine %.0f ms,"
                    + " daemon %.0f ms%n", "", f.daemonCpu().get(name), Daemons.median(f.machineCpu().get(name)),
                    Daemons.median(f.parallelDaemonCpu().get(name)));
        }
        System.out.printf("  ratio %s/%s: p50 %.2f, p95 %.2f, parallel wall %.2f%n", ours, theirs,
                percentile(f.sequential().get(ours), 50) / percentile(f.sequential().get(theirs), 50),
                percentile(f.sequential().get(ours), 95) / percentile(f.sequential().get(theirs), 95),
                Daemons.median(f.wall().get(ours)) / Daemons.median(f.wall().get(theirs)));
    }

    /** Medians of each phase of the traced sequential runs, per daemon, and their difference. */
    private static void reportPhases(Map<String, List<Map<String, Double>>> phases, String ours, String theirs) {
        System.out.println("phases of the sequential runs above (median ms; from process events):");
        for (String name : List.of(ours, theirs)) {
            System.out.printf("  %-16s %d runs traced whole%n", name, phases.getOrDefault(name, List.of()).size());
        }
        if (!phases.containsKey(ours) || !phases.containsKey(theirs)) {
            return;
        }
        for (String p : RunPhases.NAMES) {
            double a = Daemons.median(phases.get(ours).stream().map(m -> m.get(p)).toList());
            double b = Daemons.median(phases.get(theirs).stream().map(m -> m.get(p)).toList());
            System.out.printf("  %-12s %-16s %6.1f  %-16s %6.1f  difference %+.1f%n", p, ours, a, theirs, b, a - b);
        }
    }

    /** One {@code ctr run --rm}, telling {@code started} ctr's pid; answers its wall time in seconds. */
    private static double run(String ctr, Side side, String id, LongConsumer started) throws Exception {
        long t0 = System.nanoTime();
        ctrOk(ctr, side, 60, started, "run", "--rm", IMAGE, id, "true");
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void ctrOk(String ctr, Side side, long timeoutSeconds, LongConsumer started, String... args)
            throws Exception {
        List<String> a = new ArrayList<>(List.of("-n", side.namespace()));
        a.addAll(List.of(args));
        Daemons.ctr(ctr, side.socket(), side.kind().name(), timeoutSeconds, started, a.toArray(String[]::new));
    }

    /** The nearest-rank percentile of {@code values}. */
    static double percentile(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
