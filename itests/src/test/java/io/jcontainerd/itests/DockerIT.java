package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Docker's daemon (dockerd 20.10, Debian's docker.io) running its containers through our daemon:
 * {@code dockerd --containerd=<our socket>}, with the real shim and runc underneath. dockerd keeps its
 * own images (loaded here from a docker-archive the test builds) and asks containerd for containers and
 * tasks in its {@code moby} namespace; it tells a container's end from an exec's by the pid in the
 * {@code /tasks/exit} events, so exit codes checked here come through those events.
 */
public class DockerIT {
    private static final String DOCKER = "/usr/bin/docker";
    private static final String IMAGE = "busybox:latest";
    private static Daemon ours;
    private static Path dir;
    private static Process dockerd;
    private static Path dockerSocket;
    /** dockerd makes its plugin directory there whatever its exec root; removed after if the test made it. */
    private static final Path RUN_DOCKER = Path.of("/run/docker");
    private static boolean runDockerBefore;
    /** dockerd puts each container in the cgroup {@code /docker/<id>}; runc leaves {@code /docker}. */
    private static java.util.Set<Path> cgroupsBefore;

    @BeforeClass
    public static void start() throws Exception {
        runDockerBefore = Files.exists(RUN_DOCKER);
        cgroupsBefore = Processes.cgroupsNamed("docker");
        ours = Daemon.create("").start();
        dir = Files.createTempDirectory("jcd-dockerd-");
        dockerSocket = dir.resolve("docker.sock");
        startDockerd();
        Path tar = dir.resolve("busybox-docker.tar");
        try (TestImages.Image img = TestImages.busybox(IMAGE)) {
            img.writeDockerArchive(tar);
        }
        Processes.Result load = docker("load", "-i", tar.toString());
        assertEquals(load.toString(), 0, load.rc());
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (dockerd != null && dockerd.isAlive()) {
                String all = docker("ps", "-aq").out().strip();
                if (!all.isEmpty()) {
                    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                    rm.addAll(all.lines().toList());
                    docker(rm.toArray(String[]::new));
                }
                Processes.terminate(dockerd, 30);
            }
        } finally {
            if (ours != null && ours.process() != null && ours.process().isAlive()) {
                // containers a failed test left with no dockerd to remove them (one that failed while
                // dockerd or our daemon was down): no shim or container process outlives the class
                ours.removeTasksAndContainers("moby");
            }
            if (dir != null) {
                unmountUnder(dir);
                Processes.deleteTree(dir);
            }
            if (ours != null) {
                ours.close();
            }
            if (cgroupsBefore != null) {
                Processes.removeAddedCgroups("docker", cgroupsBefore);
            }
            if (!runDockerBefore) {
                try {
                    Files.deleteIfExists(RUN_DOCKER.resolve("plugins"));
                    Files.deleteIfExists(RUN_DOCKER);
                } catch (java.nio.file.DirectoryNotEmptyException e) {
                    // something else uses it now
                }
            }
        }
    }

    /**
     * Starts dockerd on our daemon and waits until it answers. With live restore, as many hosts run it:
     * containers keep running while dockerd is down, and it finds them again in our daemon when it
     * starts.
     */
    private static void startDockerd() throws Exception {
        dockerd = new ProcessBuilder("/usr/sbin/dockerd", "--containerd=" + ours.socket, "--live-restore",
                "--data-root", dir.resolve("root").toString(), "--exec-root", dir.resolve("exec").toString(),
                "--pidfile", dir.resolve("docker.pid").toString(), "-H", "unix://" + dockerSocket,
                "--bridge=none", "--iptables=false", "--ip-masq=false", "--ip-forward=false", "--userland-proxy=false")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dockerd.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (docker("version").rc() != 0) {
            assertTrue("dockerd exited: " + log(), dockerd.isAlive());
            assertTrue("dockerd did not answer within 60 s: " + log(), System.nanoTime() < deadline);
            Thread.sleep(200);
        }
    }

    /** dockerd's overlay2 and network-namespace mounts, if a failure left any. */
    private static void unmountUnder(Path root) throws Exception {
        List<String> targets = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            if (mountPoint.startsWith(root + "/")) {
                targets.add(mountPoint);
            }
        }
        java.util.Collections.reverse(targets);
        for (String t : targets) {
            Processes.run(30, List.of("umount", "-l", t));
        }
    }

    private static String log() throws IOException {
        return Files.readString(dir.resolve("dockerd.log"));
    }

    static Processes.Result docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(DOCKER, "-H", "unix://" + dockerSocket));
        cmd.addAll(List.of(args));
        return Processes.run(90, cmd);
    }

    /** What our daemon holds for dockerd: its containers, then its tasks. */
    private static List<String> mobyRecords() throws Exception {
        return List.of(Processes.ctr(ours.socket, "-n", "moby", "containers", "ls", "-q").out().strip(),
                Processes.ctr(ours.socket, "-n", "moby", "tasks", "ls", "-q").out().strip());
    }

    @Test
    public void runPrintsAndReportsTheExitCode() throws Exception {
        Processes.Result hello = docker("run", "--rm", "--network", "none", IMAGE, "echo", "hello");
        assertEquals(hello.toString(), 0, hello.rc());
        assertEquals("hello\n", hello.out());
        Processes.Result seven = docker("run", "--rm", "--network", "none", IMAGE, "sh", "-c", "exit 7");
        assertEquals(seven.toString(), 7, seven.rc());
        Processes.Result env = docker("run", "--rm", "--network", "none", "-e", "FOO=bar", "-w", "/tmp", IMAGE,
                "sh", "-c", "echo $FOO; pwd");
        assertEquals(env.toString(), "bar\n/tmp\n", env.out());
        assertEquals(List.of("", ""), mobyRecords());
    }

    @Test
    public void stdinReachesTheContainer() throws Exception {
        List<String> cmd = List.of(DOCKER, "-H", "unix://" + dockerSocket, "run", "-i", "--rm", "--network", "none",
                IMAGE, "sh", "-c", "read x; echo got-$x");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write("abc\n".getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("docker run -i timed out", p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(out, 0, p.exitValue());
        assertEquals("got-abc\n", out);
    }

    @Test
    public void detachedContainerExecPauseStopAndRemove() throws Exception {
        String name = "jcd-d1";
        runDetached(name, IMAGE, "sleep", "1000");
        assertEquals("running", inspect(name, "{{.State.Status}}"));

        Processes.Result hi = docker("exec", name, "echo", "hi");
        assertEquals(hi.toString(), "hi\n", hi.out());
        // an exec's exit code, told apart from the container's by the pid in its /tasks/exit
        assertEquals(3, docker("exec", name, "sh", "-c", "exit 3").rc());
        assertEquals("running", inspect(name, "{{.State.Status}}"));
        Processes.Result top = docker("top", name);
        assertTrue(top.toString(), top.out().contains("sleep 1000"));

        assertEquals(0, docker("pause", name).rc());
        assertEquals("paused", inspect(name, "{{.State.Status}}"));
        assertEquals(0, docker("unpause", name).rc());
        assertEquals("running", inspect(name, "{{.State.Status}}"));

        // sleep as pid 1 ignores SIGTERM: dockerd kills it after the timeout
        assertEquals(0, docker("stop", "-t", "1", name).rc());
        assertEquals("exited 137", inspect(name, "{{.State.Status}} {{.State.ExitCode}}"));
        assertEquals(0, docker("start", name).rc());
        assertEquals("running", inspect(name, "{{.State.Status}}"));
        assertEquals(0, docker("rm", "-f", name).rc());
        assertEquals(List.of("", ""), mobyRecords());
    }

    /**
     * {@code docker run -t} and {@code docker exec -t} under script(1): dockerd asks for a terminal in
     * the task's and the exec's create, and the shim gives the process one (a pty of the container's).
     */
    @Test
    public void terminalRunAndExecHaveATerminal() throws Exception {
        String docker = DOCKER + " -H unix://" + dockerSocket;
        Processes.Result run = Processes.runWithOpenInput(60, List.of("script", "-qec",
                docker + " run -t --rm --network none " + IMAGE + " sh -c 'tty; exit 4'", "/dev/null"));
        assertEquals(run.toString(), 4, run.rc());
        assertTrue(run.toString(), run.out().contains("/dev/pts/0"));

        String name = "jcd-t1";
        runDetached(name, IMAGE, "sleep", "1000");
        Processes.Result exec = Processes.runWithOpenInput(60, List.of("script", "-qec",
                docker + " exec -t " + name + " sh -c 'tty; exit 6'", "/dev/null"));
        assertEquals(exec.toString(), 6, exec.rc());
        assertTrue(exec.toString(), exec.out().matches("(?s).*/dev/pts/[0-9]+.*"));
        Processes.Result plain = docker("exec", name, "tty");
        assertEquals(plain.toString(), "not a tty\n", plain.out());
        assertEquals(0, docker("rm", "-f", name).rc());
        assertEquals(List.of("", ""), mobyRecords());
    }

    /**
     * A container's output kept apart by stream ({@code docker logs}), its exit code for
     * {@code docker wait}, and {@code --init}: Docker's init as the task's first process.
     */
    @Test
    public void logsWaitAndInit() throws Exception {
        String name = "jcd-l1";
        runDetached(name, IMAGE, "sh", "-c", "echo out; echo err >&2; sleep 0.5; exit 5");
        Processes.Result waited = docker("wait", name);
        assertEquals(waited.toString(), "5\n", waited.out());
        Processes.Result logs = docker("logs", name);
        assertEquals(logs.toString(), "out\n", logs.out());
        assertEquals(logs.toString(), "err\n", logs.err());
        assertEquals(0, docker("rm", name).rc());

        Processes.Result init = docker("run", "--rm", "--init", "--network", "none", IMAGE, "cat", "/proc/1/cmdline");
        assertEquals(init.toString(), 0, init.rc());
        assertTrue(init.toString(), init.out().startsWith("/sbin/docker-init\0--\0cat\0"));
        assertEquals(List.of("", ""), mobyRecords());
    }

    @Test
    public void restartPolicyRestartsOnTheExitEvent() throws Exception {
        String name = "jcd-r1";
        runDetached(name, "--restart", "on-failure:2", IMAGE, "sh", "-c", "sleep 0.2; exit 5");
        awaitInspect(name, "{{.RestartCount}} {{.State.Status}}", "2 exited");
        assertEquals("5", inspect(name, "{{.State.ExitCode}}"));
        assertEquals(0, docker("rm", name).rc());
        assertEquals(List.of("", ""), mobyRecords());
    }

    /**
     * The kernel's OOM kill of a container's process: the shim publishes {@code /tasks/oom} through our
     * ttrpc endpoint, and dockerd, subscribed to our events, marks the container OOMKilled. The process
     * waits a little before it fills its memory: the shim watches the container's memory cgroup for OOM
     * kills only once runc's start has returned, so a process that runs out of memory within
     * milliseconds can be killed before that, and then no shim publishes it (containerd's neither).
     */
    @Test
    public void anOomKillReachesDockerAsTheShimsEvent() throws Exception {
        String name = "jcd-oom";
        runDetached(name, "-m", "8m", "--memory-swap", "8m", IMAGE,
                "sh", "-c", "sleep 0.5; x=a; while true; do x=$x$x; done");
        awaitInspect(name, "{{.State.Status}}", "exited");
        assertEquals("137 true", inspect(name, "{{.State.ExitCode}} {{.State.OOMKilled}}"));
        assertEquals(0, docker("rm", name).rc());
        assertEquals(List.of("", ""), mobyRecords());
    }

    /** {@code docker update} goes through Tasks/Update to the container's cgroups; {@code docker stats} reads Tasks/Metrics. */
    @Test
    public void updateReachesTheCgroupsAndStatsReadThem() throws Exception {
        String name = "jcd-u1";
        runDetached(name, IMAGE, "sleep", "1000");
        Processes.Result update = docker("update", "--memory", "64m", "--memory-swap", "128m", "--pids-limit", "20", name);
        assertEquals(update.toString(), 0, update.rc());
        Processes.Result limits = docker("exec", name, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
                "/sys/fs/cgroup/pids/pids.max");
        assertEquals(limits.toString(), "67108864\n20\n", limits.out());
        Processes.Result stats = docker("stats", "--no-stream", "--format", "{{.PIDs}} {{.MemUsage}}", name);
        assertEquals(stats.toString(), 0, stats.rc());
        assertTrue(stats.toString(), stats.out().matches("1 [0-9.]+[KMG]?i?B / 64MiB\\n"));
        assertEquals(0, docker("rm", "-f", name).rc());
        assertEquals(List.of("", ""), mobyRecords());
    }

    /**
     * Our daemon killed with SIGKILL and started again under a running dockerd: dockerd reconnects and
     * subscribes again, the container keeps running, and exits reach it through the new subscription
     * (an exec's end and the container's stop are both told by {@code /tasks/exit}).
     */
    @Test
    public void dockerdCarriesOnAcrossAKillOfOurDaemon() throws Exception {
        String name = "jcd-k1";
        runDetached(name, IMAGE, "sleep", "1000");
        String pid = inspect(name, "{{.State.Pid}}");
        ours.kill9();
        ours.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Processes.Result hi = docker("exec", name, "echo", "hi");
        while (hi.rc() != 0) {
            assertTrue("exec after the restart: " + hi, System.nanoTime() < deadline);
            Thread.sleep(200);
            hi = docker("exec", name, "echo", "hi");
        }
        assertEquals("hi\n", hi.out());
        assertEquals("running " + pid, inspect(name, "{{.State.Status}} {{.State.Pid}}"));
        assertEquals(0, docker("stop", "-t", "1", name).rc());
        assertEquals("exited 137", inspect(name, "{{.State.Status}} {{.State.ExitCode}}"));
        assertEquals(0, docker("rm", name).rc());
        assertEquals(List.of("", ""), mobyRecords());
    }

    /**
     * Live restore: dockerd stops and starts again while a container runs. The container's process
     * lives on; dockerd finds its container and task in our daemon again (same pid), attaches to its
     * output again (a line the process writes after the restart reaches {@code docker logs}), and
     * signals, execs and the stop go through our daemon as before.
     */
    @Test
    public void aContainerOutlivesARestartOfDockerd() throws Exception {
        String name = "jcd-lr1";
        runDetached(name, IMAGE, "sh", "-c", "trap 'echo got-usr1' USR1; echo started; while true; do sleep 0.1; done");
        String pid = inspect(name, "{{.State.Pid}}");
        assertEquals(0, Processes.terminate(dockerd, 30));
        assertTrue("the container's process ended with dockerd", ProcessHandle.of(Long.parseLong(pid)).isPresent());
        startDockerd();
        assertEquals("running " + pid, inspect(name, "{{.State.Status}} {{.State.Pid}}"));
        assertEquals(0, docker("kill", "-s", "USR1", name).rc());
        String logs = await("the signal's line after the restart", 10, () -> docker("logs", name).out(),
                out -> out.contains("got-usr1"));
        assertEquals("started\ngot-usr1\n", logs);
        assertEquals("hi\n", docker("exec", name, "echo", "hi").out());
        assertEquals(0, docker("stop", "-t", "1", name).rc());
        assertEquals("exited 137", inspect(name, "{{.State.Status}} {{.State.ExitCode}}"));
        assertEquals(0, docker("rm", name).rc());
        assertEquals(List.of("", ""), mobyRecords());
    }

    /** {@code docker run -d --name name --network none args...}, which must succeed. */
    private static void runDetached(String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", "none"));
        cmd.addAll(List.of(args));
        Processes.Result run = docker(cmd.toArray(String[]::new));
        assertEquals(run.toString(), 0, run.rc());
    }

    /** Waits up to 30 s for {@code docker inspect -f format} to print {@code expected}. */
    private static void awaitInspect(String name, String format, String expected) throws Exception {
        await(name + " " + format, 30, () -> inspect(name, format), expected::equals);
    }

    /** Reads {@code read} every 100 ms until {@code done} holds, for at most {@code seconds}; returns what it read. */
    private static String await(String what, long seconds, java.util.concurrent.Callable<String> read,
            java.util.function.Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = read.call();
        while (!done.test(last)) {
            assertTrue(what + ": " + last, System.nanoTime() < deadline);
            Thread.sleep(100);
            last = read.call();
        }
        return last;
    }

    private static String inspect(String name, String format) throws Exception {
        Processes.Result r = docker("inspect", "-f", format, name);
        assertEquals(r.toString(), 0, r.rc());
        return r.out().strip();
    }
}
