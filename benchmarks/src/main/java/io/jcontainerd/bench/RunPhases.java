package io.jcontainerd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a {@code ctr run --rm … true} spends its time, from the kernel's process events (tracefs
 * {@code sched_process_fork}, {@code _exec} and {@code _exit}, which cost the traced processes next to
 * nothing): the phases between ctr's exec, the fork of the shim's {@code start} command and its exit,
 * the exit of the first {@code runc} (create), of the container's {@code true} and of ctr. A task that
 * took a warm shim (jcontainerd's, started before the run) has no shim start: its pre-task phase ends
 * at the fork of {@code runc create} and its task create phase is runc's alone. Runs must be
 * sequential while tracing, so that every process exec'd between a ctr's exec and its exit is that
 * run's. Needs root; mounts tracefs when it is not, and puts back what it changed.
 */
final class RunPhases implements AutoCloseable {
    static final List<String> NAMES = List.of("total", "pre-task", "shim start", "task create", "run", "tail");

    private static final Path TRACING = Path.of("/sys/kernel/tracing");
    private static final List<String> EVENTS = List.of("sched_process_fork", "sched_process_exec", "sched_process_exit");
    private static final Pattern LINE = Pattern.compile("\\s\\[\\d+\\]\\s+\\S+\\s+(\\d+\\.\\d+): (sched_process_\\w+): (.*)");
    private static final Pattern CHILD = Pattern.compile("child_pid=(\\d+)");
    private static final Pattern PID = Pattern.compile("\\bpid=(\\d+)");
    private static final Pattern FILE = Pattern.compile("filename=(\\S+)");

    private final boolean mounted;
    private final String clock;
    private final String bufferKib;
    private final String on;

    private RunPhases(boolean mounted, String clock, String bufferKib, String on) {
        this.mounted = mounted;
        this.clock = clock;
        this.bufferKib = bufferKib;
        this.on = on;
    }

    /** Starts recording process events; fails when tracefs is not there and cannot be mounted. */
    static RunPhases start() throws Exception {
        boolean mounted = false;
        if (!Files.exists(TRACING.resolve("trace"))) {
            exec("mount", "-t", "tracefs", "nodev", TRACING.toString());
            mounted = true;
        }
        String clockLine = read("trace_clock");
        Matcher m = Pattern.compile("\\[(\\S+)\\]").matcher(clockLine);
        // an untouched buffer reads "7 (expanded: 1408)": only the number can be written back
        Matcher kib = Pattern.compile("^\\s*(\\d+)(?:\\s*\\(expanded:\\s*(\\d+)\\))?").matcher(read("buffer_size_kb"));
        String bufferKib = !kib.find() ? "1408" : kib.group(2) != null ? kib.group(2) : kib.group(1);
        RunPhases t = new RunPhases(mounted, m.find() ? m.group(1) : "local", bufferKib, read("tracing_on").trim());
        try {
            write("tracing_on", "0");
            write("trace_clock", "mono");
            write("buffer_size_kb", "16384");
            write("trace", "");
            for (String e : EVENTS) {
                write("events/sched/" + e + "/enable", "1");
            }
            write("tracing_on", "1");
        } catch (IOException | RuntimeException e) {
            try {
                t.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return t;
    }

    /**
     * Stops recording and answers, for each ctr pid given (in the order given), its phases in
     * milliseconds by {@link #NAMES}; a run whose processes are not all seen is left out.
     */
    Map<Long, Map<String, Double>> phases(List<Long> ctrPids) throws IOException {
        write("tracing_on", "0");
        List<String> lines = Files.readAllLines(TRACING.resolve("trace"));
        Map<Long, Double> forked = new HashMap<>();
        Map<Long, Double> exited = new HashMap<>();
        Map<Long, String> file = new HashMap<>();
        Map<Long, Double> execAt = new HashMap<>();
        List<Long> execs = new ArrayList<>(); // pids in the order of their first exec
        for (String l : lines) {
            Matcher m = LINE.matcher(l);
            if (!m.find()) {
                continue;
            }
            double ms = Double.parseDouble(m.group(1)) * 1e3;
            String rest = m.group(3);
            switch (m.group(2)) {
                case "sched_process_fork" -> group(CHILD, rest).ifPresent(c -> forked.put(c, ms));
                case "sched_process_exec" -> group(PID, rest).ifPresent(p -> {
                    Matcher f = FILE.matcher(rest);
                    String name = f.find() ? f.group(1).substring(f.group(1).lastIndexOf('/') + 1) : "";
                    // the JDK starts a child through jspawnhelper, which then execs the command: one process
                    if (!"jspawnhelper".equals(file.put(p, name))) {
                        execs.add(p);
                    }
                    execAt.put(p, ms);
                });
                case "sched_process_exit" -> group(PID, rest).ifPresent(p -> exited.put(p, ms));
                default -> { }
            }
        }
        Map<Long, Map<String, Double>> out = new LinkedHashMap<>();
        for (long ctr : ctrPids) {
            Double end = exited.get(ctr);
            Double begin = null;
            Double shimFork = null;
            Double shimExit = null;
            Double runcFork = null;
            Double runcExit = null;
            Double trueExit = null;
            for (long pid : execs) {
                double at = execAt.get(pid);
                if (pid == ctr) {
                    begin = at;
                    continue;
                }
                if (begin == null || end == null || at < begin || at > end) {
                    continue;
                }
                String name = file.get(pid);
                // a shim started after the task's runc create is a warm shim for a later task
                if (shimFork == null && runcFork == null && name.startsWith("containerd-shim")) {
                    shimFork = forked.getOrDefault(pid, at);
                    shimExit = exited.get(pid);
                } else if (runcFork == null && name.equals("runc")) {
                    runcFork = forked.getOrDefault(pid, at);
                    runcExit = exited.get(pid);
                } else if (trueExit == null && name.equals("true")) {
                    trueExit = exited.get(pid);
                }
            }
            if (shimFork == null && runcFork != null) { // the task took a warm shim: no start of its own
                shimFork = runcFork;
                shimExit = runcFork;
            }
            if (begin == null || end == null || shimFork == null || shimExit == null || runcExit == null
                    || trueExit == null) {
                continue;
            }
            Map<String, Double> p = new LinkedHashMap<>();
            p.put(NAMES.get(0), end - begin);
            p.put(NAMES.get(1), shimFork - begin);
            p.put(NAMES.get(2), shimExit - shimFork);
            p.put(NAMES.get(3), runcExit - shimExit);
            p.put(NAMES.get(4), trueExit - runcExit);
            p.put(NAMES.get(5), end - trueExit);
            out.put(ctr, p);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        write("tracing_on", "0");
        for (String e : EVENTS) {
            write("events/sched/" + e + "/enable", "0");
        }
        write("trace", "");
        write("trace_clock", clock);
        write("buffer_size_kb", bufferKib);
        write("tracing_on", on);
        if (mounted) {
            exec("umount", TRACING.toString());
        }
    }

    private static java.util.Optional<Long> group(Pattern p, String s) {
        Matcher m = p.matcher(s);
        return m.find() ? java.util.Optional.of(Long.parseLong(m.group(1))) : java.util.Optional.empty();
    }

    private static String read(String file) throws IOException {
        return Files.readString(TRACING.resolve(file));
    }

    private static void write(String file, String value) throws IOException {
        Files.writeString(TRACING.resolve(file), value);
    }

    private static void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
