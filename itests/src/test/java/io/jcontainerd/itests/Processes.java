package io.jcontainerd.itests;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Small process and file helpers shared by the end-to-end tests. */
public final class Processes {
    private Processes() {
    }

    /** A finished command: exit code and both outputs. */
    record Result(int rc, String out, String err) {
        @Override
        public String toString() {
            return "rc=" + rc + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs a command to completion (at most {@code timeoutSeconds}), feeding it no input. */
    static Result run(long timeoutSeconds, List<String> command) throws IOException, InterruptedException {
        return run(timeoutSeconds, command, false);
    }

    /**
     * As {@link #run(long, List)}, but the command's input is a pipe that stays open until it has ended,
     * as a terminal's does, rather than /dev/null, where it meets the end at once.
     */
    static Result runWithOpenInput(long timeoutSeconds, List<String> command) throws IOException, InterruptedException {
        return run(timeoutSeconds, command, true);
    }

    private static Result run(long timeoutSeconds, List<String> command, boolean openInput)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("jcd-out", ".txt");
        Path err = Files.createTempFile("jcd-err", ".txt");
        try {
            ProcessBuilder b = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (!openInput) {
                b.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p = b.start();
            try {
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new AssertionError("timed out after " + timeoutSeconds + "s: " + command);
                }
            } finally {
                p.getOutputStream().close();
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs {@code ctr --address socket args...}. */
    static Result ctr(Path socket, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString()));
        cmd.addAll(List.of(args));
        return run(60, cmd);
    }

    /**
     * Runs a garbage collection on the daemon at {@code socket} to completion: a lease created and
     * removed with {@code --sync}. Daemons collect what nothing references on their own schedule
     * (containerd's pause threshold scales it with how long collections take); tests that compare
     * listings of two daemons settle both first.
     */
    static void collectGarbage(Path socket) throws IOException, InterruptedException {
        String lease = "collect-" + System.nanoTime();
        for (Result r : List.of(ctr(socket, "leases", "create", "--id", lease), ctr(socket, "leases", "rm", "--sync", lease))) {
            if (r.rc() != 0) {
                throw new AssertionError("collecting garbage on " + socket + ": " + r);
            }
        }
    }

    /**
     * The entries of {@code dir} now (none if it does not exist), to hand to {@link #removeEmptyAdded}
     * later: ctr leaves a directory of FIFOs under /run/containerd/fifo per detached task, and runc an
     * empty state directory per namespace under containerd's default root /run/containerd/runc.
     */
    static java.util.Set<Path> entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return java.util.Set.of();
        }
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.collect(java.util.stream.Collectors.toSet());
        }
    }

    /**
     * A fresh temporary directory others may pass through (0711, as containerd's root and state
     * directories are): the root of a user namespace must reach its rootfs below it.
     */
    static Path traversableTempDirectory(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        return dir;
    }

    /**
     * The cgroups named {@code name} at the top of each hierarchy: every v1 controller (a controller
     * reached through a symbolic link, such as {@code cpu} for {@code cpu,cpuacct}, once) and the unified
     * one. ctr puts a container in {@code /<namespace>/<id>}; runc removes the container's cgroup when it
     * ends, but not the namespace's.
     */
    public static java.util.Set<Path> cgroupsNamed(String name) throws IOException {
        Path top = Path.of("/sys/fs/cgroup");
        java.util.Set<Path> found = new java.util.TreeSet<>();
        if (Files.exists(top.resolve("cgroup.controllers"))) { // a unified-only host
            found.add(top.resolve(name));
        } else {
            try (java.util.stream.Stream<Path> s = Files.list(top)) {
                s.filter(h -> Files.isDirectory(h, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                        .forEach(h -> found.add(h.resolve(name)));
            }
        }
        found.removeIf(p -> !Files.isDirectory(p));
        return found;
    }

    /**
     * Removes the cgroups named {@code name} that were not in {@code before}, their children first. A
     * cgroup that still holds a process cannot be removed: that is reported on stderr and left.
     */
    public static void removeAddedCgroups(String name, java.util.Set<Path> before) throws IOException {
        for (Path cgroup : cgroupsNamed(name)) {
            if (before.contains(cgroup)) {
                continue;
            }
            java.util.List<Path> dirs;
            try (java.util.stream.Stream<Path> s = Files.walk(cgroup)) {
                dirs = s.filter(d -> Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                        .sorted(java.util.Comparator.reverseOrder()).toList();
            }
            for (Path d : dirs) {
                try {
                    Files.delete(d); // rmdir: a cgroup's control files go with it
                } catch (IOException e) {
                    System.err.println("cgroup left behind: " + d + ": " + e);
                }
            }
        }
    }

    /**
     * Removes the directories that appeared in {@code dir} since {@code before} was taken and hold
     * nothing but FIFOs (or nothing at all).
     */
    static void removeEmptyAdded(Path dir, java.util.Set<Path> before) throws IOException {
        for (Path p : entries(dir)) {
            if (before.contains(p) || !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            java.util.List<Path> inside;
            try (java.util.stream.Stream<Path> s = Files.list(p)) {
                inside = s.toList();
            }
            boolean onlyFifos = true;
            for (Path f : inside) {
                onlyFifos &= Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther();
            }
            if (onlyFifos) {
                for (Path f : inside) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(p);
            }
        }
    }

    /** True if something accepts connections on the unix socket. */
    static boolean isLive(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until the socket serves or the process dies or the time is up. */
    static boolean awaitLive(Path socket, Process process, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (isLive(socket)) {
                return true;
            }
            if (process != null && !process.isAlive()) {
                return false;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /**
     * A /proc {@code stat} file's fields: [0] the command name (field 2, whose parentheses may hold
     * spaces and parentheses themselves, so the rest is counted from the last ')'), then the fields
     * after it, so that [i] is field i + 2 of proc(5): state [1], nice [17], utime [12], policy [39].
     */
    public static String[] statFields(Path stat) throws IOException {
        String s = Files.readString(stat);
        int close = s.lastIndexOf(')');
        String[] rest = s.substring(close + 2).trim().split(" ");
        String[] out = new String[rest.length + 1];
        out[0] = s.substring(s.indexOf('(') + 1, close);
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /** Deletes a directory tree (after the processes using it are gone). */
    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Sends SIGTERM and waits; SIGKILL if it does not exit in time. */
    static int terminate(Process p, long timeoutSeconds) throws InterruptedException {
        if (!p.isAlive()) {
            return p.exitValue();
        }
        p.destroy();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("process " + p.pid() + " ignored SIGTERM for " + timeoutSeconds + "s");
        }
        return p.exitValue();
    }
}
