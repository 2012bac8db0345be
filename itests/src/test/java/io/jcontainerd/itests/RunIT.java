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
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * {@code ctr run} and {@code ctr tasks} against our daemon, with the real shim and runc, side by side
 * with containerd 1.6 on the same busybox image. Each daemon gets its own namespace, so that runc
 * state under containerd's default root never meets another test's.
 */
public class RunIT {
    static final String IMAGE = "docker.io/library/busybox:latest";
    private static Daemon ours;
    private static Containerd reference;
    /** A namespace per daemon: ctr names cgroups {@code /<namespace>/<id>}, which both daemons would share. */
    private static String ns;
    private static String refNs;

    private static final Path FIFOS = Path.of("/run/containerd/fifo");
    private static final Path RUNC_ROOT = Path.of("/run/containerd/runc");
    private static java.util.Set<Path> fifosBefore;
    private static java.util.Set<Path> runcBefore;
    private static java.util.Set<Path> cgroupsBefore;

    @BeforeClass
    public static void start() throws Exception {
        fifosBefore = Processes.entries(FIFOS);
        runcBefore = Processes.entries(RUNC_ROOT);
        ns = "jcd-run-" + UUID.randomUUID().toString().substring(0, 8);
        refNs = ns + "-ref";
        cgroupsBefore = new java.util.HashSet<>(Processes.cgroupsNamed(ns));
        cgroupsBefore.addAll(Processes.cgroupsNamed(refNs));
        ours = Daemon.create("").start();
        reference = Containerd.start();
        Path tar = TestImages.writeBusybox(IMAGE, ours.dir.resolve("busybox.tar"));
        for (Path socket : List.of(ours.socket, reference.socket)) {
            Processes.Result r = ctr(socket, "images", "import", tar.toString());
            assertEquals(r.toString(), 0, r.rc());
        }
    }

    @AfterClass
    public static void stop() throws Exception {
        for (Path socket : socketsStarted()) {
            cleanUp(socket);
        }
        if (reference != null) {
            reference.close();
        }
        if (ours != null) {
            ours.close();
        }
        // what ctr (FIFOs of detached tasks) and containerd's runc (its namespace's state) left behind
        Processes.removeEmptyAdded(FIFOS, fifosBefore);
        Processes.removeEmptyAdded(RUNC_ROOT, runcBefore);
        // the namespaces' cgroups, which ctr names /<namespace>/<id>
        Processes.removeAddedCgroups(ns, cgroupsBefore);
        Processes.removeAddedCgroups(refNs, cgroupsBefore);
    }

    private static List<Path> socketsStarted() {
        List<Path> s = new ArrayList<>();
        if (ours != null) {
            s.add(ours.socket);
        }
        if (reference != null) {
            s.add(reference.socket);
        }
        return s;
    }

    /** A scenario that runs against one daemon and answers its normalized output. */
    @FunctionalInterface
    private interface Scenario {
        List<String> run(Path socket) throws Exception;
    }

    /** Runs a scenario on our daemon, then on containerd, and cleans up both; answers [ours, theirs]. */
    private static List<List<String>> onBoth(Scenario scenario) throws Exception {
        try {
            List<String> mine = scenario.run(ours.socket);
            return List.of(mine, scenario.run(reference.socket));
        } finally {
            cleanUp(ours.socket);
            cleanUp(reference.socket);
        }
    }

    /** Kills and deletes whatever tasks a failed test left, so that no shim outlives the test. */
    private static void cleanUp(Path socket) throws IOException, InterruptedException {
        for (String id : ctr(socket, "tasks", "ls", "-q").out().lines().toList()) {
            ctr(socket, "tasks", "kill", "-s", "9", id);
            ctr(socket, "tasks", "delete", "-f", id);
        }
        for (String id : ctr(socket, "containers", "ls", "-q").out().lines().toList()) {
            ctr(socket, "containers", "rm", id);
        }
    }

    static Processes.Result ctr(Path socket, String... args) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of("-n", namespaceOf(socket)));
        a.addAll(List.of(args));
        return Processes.ctr(socket, a.toArray(String[]::new));
    }

    private static String namespaceOf(Path socket) {
        return reference != null && socket.equals(reference.socket) ? refNs : ns;
    }

    /** {@code ctr} with {@code input} on its stdin. */
    static Processes.Result ctrWithInput(Path socket, String input, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "-n", namespaceOf(socket)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        var out = readAll(p.getInputStream());
        var err = readAll(p.getErrorStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(); // SIGKILL: ctr run forwards SIGTERM to the task
            throw new AssertionError("ctr timed out: " + cmd);
        }
        return new Processes.Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static java.util.concurrent.CompletableFuture<String> readAll(java.io.InputStream in) {
        var text = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> {
            try (in) {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(e);
            }
        }).start();
        return text;
    }

    @Test
    public void runPrintsOutputAndExitsWithTheTaskStatusAsContainerd() throws Exception {
        for (String[] run : List.of(
                new String[] {"run", "--rm", IMAGE, "r1", "echo", "hello"},
                new String[] {"run", "--rm", IMAGE, "r2", "sh", "-c", "exit 7"},
                new String[] {"run", "--rm", "--env", "A=b", "--cwd", "/etc", IMAGE, "r3", "sh", "-c", "echo $A; pwd"},
                new String[] {"run", "--rm", "--snapshotter", "native", IMAGE, "r4", "cat", "/etc/passwd"},
                new String[] {"run", "--rm", IMAGE, "r5", "/no/such/binary"},
                // a user namespace: the bundle lets the remapped root through to its rootfs
                new String[] {"run", "--rm", "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536", IMAGE, "r8",
                        "sh", "-c", "id; cat /proc/self/uid_map /proc/self/gid_map"})) {
            Processes.Result theirs = ctr(reference.socket, run);
            Processes.Result mine = ctr(ours.socket, run);
            assertEquals(String.join(" ", run), normalized(theirs), normalized(mine));
        }
        assertEquals("hello\n", ctr(ours.socket, "run", "--rm", IMAGE, "r6", "echo", "hello").out());
        assertEquals(7, ctr(ours.socket, "run", "--rm", IMAGE, "r7", "sh", "-c", "exit 7").rc());
        Processes.Result userns = ctr(ours.socket, "run", "--rm", "--uidmap", "0:100000:65536", "--gidmap",
                "0:100000:65536", IMAGE, "r9", "cat", "/proc/self/uid_map");
        assertEquals(userns.toString(), 0, userns.rc());
        assertTrue(userns.out(), userns.out().matches("\\s*0\\s+100000\\s+65536\\s*"));
        for (Path socket : List.of(ours.socket, reference.socket)) {
            assertEquals("", ctr(socket, "containers", "ls", "-q").out());
            assertEquals("", ctr(socket, "tasks", "ls", "-q").out());
        }
    }

    /**
     * Stdin reaches the task. (Not {@code cat} to EOF: ctr closes the task's stdin only if its input
     * ends after the task was created, so {@code echo x | ctr run ... cat} can hang with containerd too.)
     */
    /** Task requests ctr does not send: the same gRPC code and description from both daemons. */
    @Test
    public void oddTaskRequestsGetContainerdsCodesAndMessages() throws Exception {
        assertEquals(oddTaskRequests(reference.socket), oddTaskRequests(ours.socket));
    }

    private static List<String> oddTaskRequests(Path socket) throws Exception {
        Processes.Result run = ctr(socket, "run", "-d", IMAGE, "odd1", "sleep", "1000");
        assertEquals(run.toString(), 0, run.rc());
        List<String> answers = new ArrayList<>();
        try (Grpc g = new Grpc(socket)) {
            containerd.services.tasks.v1.TasksGrpc.TasksBlockingStub t = containerd.services.tasks.v1.TasksGrpc
                    .newBlockingStub(g.channel).withInterceptors(Grpc.namespace(namespaceOf(socket)));
            com.google.protobuf.Any process = com.google.protobuf.Any.newBuilder()
                    .setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/Process")
                    .setValue(com.google.protobuf.ByteString.copyFromUtf8("{\"args\":[\"true\"],\"cwd\":\"/\"}")).build();
            List<java.util.concurrent.Callable<Object>> calls = List.of(
                    () -> t.start(containerd.services.tasks.v1.StartRequest.newBuilder().setContainerId("odd1").build()),
                    () -> t.kill(containerd.services.tasks.v1.KillRequest.newBuilder().setContainerId("odd1").setSignal(999).build()),
                    () -> t.kill(containerd.services.tasks.v1.KillRequest.newBuilder().setContainerId("odd1").setExecId("nosuch")
                            .setSignal(15).build()),
                    () -> t.get(containerd.services.tasks.v1.GetRequest.newBuilder().setContainerId("odd1").setExecId("nosuch").build()),
                    () -> t.exec(containerd.services.tasks.v1.ExecProcessRequest.newBuilder().setContainerId("odd1").setSpec(process).build()),
                    () -> t.exec(containerd.services.tasks.v1.ExecProcessRequest.newBuilder().setContainerId("odd1").setExecId("a b")
                            .setSpec(process).build()),
                    () -> t.start(containerd.services.tasks.v1.StartRequest.newBuilder().setContainerId("odd1").setExecId("nosuch").build()),
                    () -> t.resizePty(containerd.services.tasks.v1.ResizePtyRequest.newBuilder().setContainerId("odd1")
                            .setExecId("nosuch").setWidth(80).setHeight(24).build()),
                    () -> t.closeIO(containerd.services.tasks.v1.CloseIORequest.newBuilder().setContainerId("odd1")
                            .setExecId("nosuch").setStdin(true).build()),
                    () -> t.metrics(containerd.services.tasks.v1.MetricsRequest.newBuilder().addFilters("id==").build()),
                    () -> t.deleteProcess(containerd.services.tasks.v1.DeleteProcessRequest.newBuilder().setContainerId("odd1")
                            .setExecId("nosuch").build()),
                    () -> t.wait(containerd.services.tasks.v1.WaitRequest.newBuilder().setContainerId("odd1").setExecId("nosuch").build()));
            for (java.util.concurrent.Callable<Object> call : calls) {
                try {
                    call.call();
                    answers.add("OK");
                } catch (io.grpc.StatusRuntimeException e) {
                    answers.add(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
                }
            }
        } finally {
            cleanUp(socket);
        }
        return answers;
    }

    @Test
    public void stdinReachesTheTask() throws Exception {
        Processes.Result r = ctrWithInput(ours.socket, "abc\n", "run", "--rm", IMAGE, "in1", "sh", "-c",
                "read x; echo got-$x");
        assertEquals(r.toString(), 0, r.rc());
        assertEquals("got-abc\n", r.out());
        String[] two = {"run", "--rm", IMAGE, "in2", "sh", "-c", "read a; read b; echo $b-$a"};
        assertEquals(ctrWithInput(reference.socket, "x\ny\n", two), ctrWithInput(ours.socket, "x\ny\n", two));
    }

    @Test
    public void eventsOfARunComeInContainerdsOrder() throws Exception {
        assertEquals(topicsOfRun(reference.socket), topicsOfRun(ours.socket));
    }

    private static List<String> topicsOfRun(Path socket) throws Exception {
        Path out = Files.createTempFile("jcd-events", ".txt");
        Process events = new ProcessBuilder("ctr", "--address", socket.toString(), "events")
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        try {
            Thread.sleep(500); // subscribed
            Processes.Result r = ctr(socket, "run", "--rm", IMAGE, "ev1", "true");
            assertEquals(r.toString(), 0, r.rc());
            Thread.sleep(500); // the last events delivered
        } finally {
            events.destroyForcibly().waitFor();
        }
        List<String> topics = Files.readAllLines(out).stream().map(l -> l.split("\\s+"))
                .filter(f -> f.length > 5 && f[4].equals(namespaceOf(socket))).map(f -> f[5]).toList();
        Files.delete(out);
        return topics;
    }

    /**
     * {@code ctr run -t} under script(1), which gives ctr a terminal: the task gets one too. script's
     * input stays open until ctr has ended, as a user's terminal does: at the end of its input script
     * types an end-of-file into the session, which then reaches the task's terminal as a NUL.
     */
    @Test
    public void terminalRunHasATerminal() throws Exception {
        String ctr = "ctr --address " + ours.socket + " -n " + ns + " run -t --rm " + IMAGE
                + " tty1 sh -c 'tty; stty size; exit 4'";
        Processes.Result r = Processes.runWithOpenInput(60, List.of("script", "-qec", ctr, "/dev/null"));
        assertEquals(r.toString(), 4, r.rc());
        assertTrue(r.toString(), r.out().contains("/dev/pts/0"));
    }

    /**
     * Twice: the first time most runs start shims of their own, after which warm shims are started
     * (as many as creates overlapped, up to ten); the second time they take those, and shims whose
     * run ended soon enough go back to being warm shims.
     */
    @Test
    public void twentyParallelRunsAllSucceed() throws Exception {
        Path bundles = ours.state.resolve("io.containerd.runtime.v2.task").resolve(ns);
        Path work = ours.root.resolve("io.containerd.runtime.v2.task").resolve(ns);
        twentyAtOnce();
        // as many as the most creates that were under way at once, which depends on how the twenty
        // overlapped on this machine: more than one, at most ten; started one at a time, so waited for
        // until their number holds for a second
        long deadline = System.currentTimeMillis() + 15_000;
        long warm = warmShims(bundles);
        long since = System.currentTimeMillis();
        while (System.currentTimeMillis() < deadline && (warm < 2 || System.currentTimeMillis() - since < 1000)) {
            Thread.sleep(100);
            long now = warmShims(bundles);
            if (now != warm) {
                warm = now;
                since = System.currentTimeMillis();
            }
        }
        assertTrue("warm shims after a burst of twenty: " + warm, warm >= 2 && warm <= 10);
        twentyAtOnce();
        // the shims either stopped or became warm shims again: no task's bundle, work directory or
        // mount is left, and each placeholder holds only its shim's address and log and an empty spec
        deadline = System.currentTimeMillis() + 15_000;
        String left = leftByRuns(bundles, work);
        while (!left.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            left = leftByRuns(bundles, work);
        }
        assertEquals("", left);
        assertTrue("warm shims after the second burst: " + warmShims(bundles), warmShims(bundles) <= 10);
    }

    private static void twentyAtOnce() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(20);
        try {
            List<java.util.concurrent.Future<Processes.Result>> runs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = "p" + i;
                runs.add(pool.submit(() -> ctr(ours.socket, "run", "--rm", IMAGE, id, "echo", id)));
            }
            for (int i = 0; i < 20; i++) {
                Processes.Result r = runs.get(i).get(120, TimeUnit.SECONDS);
                assertEquals(r.toString(), 0, r.rc());
                assertEquals("p" + i + "\n", r.out());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), ctr(ours.socket, "tasks", "ls", "-q").out().lines().filter(l -> l.startsWith("p")).toList());
        assertEquals(List.of(), ctr(ours.socket, "containers", "ls", "-q").out().lines().filter(l -> l.startsWith("p")).toList());
    }

    /** How many warm shims' placeholders under {@code bundles} have their shim's address. */
    private static long warmShims(Path bundles) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(bundles)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".warm~") && Files.exists(p.resolve("address")))
                    .count();
        }
    }

    /** What of the parallel runs' tasks is still under {@code bundles} and {@code work}, or mounted; empty if nothing. */
    private static String leftByRuns(Path bundles, Path work) throws IOException {
        StringBuilder left = new StringBuilder();
        for (Path dir : List.of(bundles, work)) {
            try (java.util.stream.Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    String name = p.getFileName().toString();
                    if (name.matches("\\.?p\\d+")) {
                        left.append(p).append('\n');
                    } else if (dir == bundles && name.startsWith(".warm~")) {
                        try (java.util.stream.Stream<Path> files = Files.list(p)) {
                            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
                            if (!names.equals(List.of("address", "config.json", "log"))) {
                                left.append(p).append(' ').append(names).append('\n');
                            }
                        } catch (java.nio.file.NoSuchFileException gone) {
                            // stopped meanwhile
                        }
                    }
                }
            } catch (java.nio.file.NoSuchFileException none) {
                // nothing there at all
            }
        }
        Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(bundles.toString() + "/p"))
                .forEach(l -> left.append(l).append('\n'));
        return left.toString();
    }

    /** Shims outlive the daemon: after kill -9 and a new start the task is there again, with the same pid. */
    @Test
    public void runningTaskSurvivesADaemonKill() throws Exception {
        Path s = ours.socket;
        long pid = runSleeping(s, "k1");
        ours.kill9();
        ours.start();
        Processes.Result ls = awaitListed(s, "k1");
        assertTrue(ls.toString(), Pattern.compile("k1\\s+" + pid + "\\s+RUNNING").matcher(ls.out()).find());
        assertEquals("hi\n", ctr(s, "tasks", "exec", "--exec-id", "e1", "k1", "echo", "hi").out());
        assertEquals(0, ctr(s, "tasks", "kill", "-s", "9", "k1").rc());
        long deadline = System.currentTimeMillis() + 10_000;
        while (!ctr(s, "tasks", "ls").out().contains("STOPPED") && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(ctr(s, "tasks", "ls").out().contains("STOPPED"));
        Processes.Result del = ctr(s, "tasks", "delete", "k1");
        assertEquals(del.toString(), 0, del.rc());
        assertEquals(0, ctr(s, "containers", "rm", "k1").rc());
    }

    /**
     * A task that ends while the daemon is down: after the restart it is listed STOPPED and its
     * {@code /tasks/exit}, which the shim tries again 1, 2, 3, 4 and 5 seconds after each failed try,
     * reaches subscribers with the real pid and status. The daemon starts just after the fourth try
     * (six seconds after the exit), so that the fifth (at ten seconds) finds it serving and subscribed.
     */
    @Test
    public void aTaskThatEndsWhileTheDaemonIsDownIsReportedStoppedWithItsStatus() throws Exception {
        Path s = ours.socket;
        long pid = runSleeping(s, "x1");
        ours.kill9();
        ProcessHandle task = ProcessHandle.of(pid).orElseThrow();
        long exitedAt = System.nanoTime();
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        task.onExit().get(10, TimeUnit.SECONDS);
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(exitedAt - System.nanoTime()) + 6_300));
        ours.start();
        Path out = Files.createTempFile("jcd-events", ".txt");
        Process events = new ProcessBuilder("ctr", "--address", s.toString(), "-n", ns, "events")
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        try {
            long deadline = System.currentTimeMillis() + 20_000;
            Processes.Result ls = awaitListed(s, "x1");
            assertTrue(ls.toString(), Pattern.compile("x1\\s+" + pid + "\\s+STOPPED").matcher(ls.out()).find());
            String exit = "/tasks/exit {\"container_id\":\"x1\",\"id\":\"x1\",\"pid\":" + pid + ",\"exit_status\":137,";
            while (!Files.readString(out).contains(exit) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(Files.readString(out), Files.readString(out).contains(exit));
        } finally {
            events.destroyForcibly().waitFor();
            Files.delete(out);
        }
        Processes.Result del = ctr(s, "tasks", "delete", "x1");
        assertEquals(del.toString(), 0, del.rc());
        assertTrue(del.err(), del.err().contains("task x1 exit with non-zero exit code 137"));
        assertEquals(0, ctr(s, "containers", "rm", "x1").rc());
    }

    /** A shim killed with SIGKILL: its task is reported ended and cleaned up, and the daemon goes on serving. */
    @Test
    public void aKilledShimEndsItsTaskAndTheDaemonGoesOn() throws Exception {
        List<List<String>> both;
        boolean oursRemovedItsSocket;
        try {
            both = onBoth(RunIT::shimKilled);
        } finally {
            oursRemovedItsSocket = !killedShimSockets.isEmpty() && !Files.exists(killedShimSockets.get(0));
            for (Path leftBehind : killedShimSockets) {
                Files.deleteIfExists(leftBehind); // containerd leaves a killed shim's socket
            }
            killedShimSockets.clear();
        }
        assertEquals(String.join("\n", both.get(1)), String.join("\n", both.get(0)));
        Path bundle = ours.state.resolve("io.containerd.runtime.v2.task").resolve(ns).resolve("sk1");
        assertTrue("bundle removed", !Files.exists(bundle));
        assertTrue("rootfs unmounted", !Files.readString(Path.of("/proc/self/mountinfo")).contains(bundle.toString()));
        assertTrue("the dead shim's socket removed", oursRemovedItsSocket);
    }

    /** The sockets of the shims {@link #shimKilled} killed, ours first. */
    private static final List<Path> killedShimSockets = new ArrayList<>();

    private static List<String> shimKilled(Path s) throws Exception {
        List<String> log = new ArrayList<>();
        ProcessHandle task = ProcessHandle.of(runSleeping(s, "sk1")).orElseThrow();
        ProcessHandle shim = task.parent().orElseThrow();
        assertTrue(shim.info().command().orElse(""), shim.info().command().orElse("").endsWith("containerd-shim-runc-v2"));
        Path state = s.equals(ours.socket) ? ours.state : reference.dir.resolve("state");
        String address = Files.readString(state.resolve("io.containerd.runtime.v2.task").resolve(namespaceOf(s))
                .resolve("sk1").resolve("address")).trim();
        killedShimSockets.add(Path.of(address.replaceFirst("^unix://", "")));
        Path out = Files.createTempFile("jcd-events", ".txt");
        Process events = new ProcessBuilder("ctr", "--address", s.toString(), "-n", namespaceOf(s), "events")
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        try {
            Thread.sleep(500); // subscribed
            new ProcessBuilder("kill", "-9", Long.toString(shim.pid())).start().waitFor();
            task.onExit().get(10, TimeUnit.SECONDS);
            long deadline = System.currentTimeMillis() + 10_000;
            while (ctr(s, "tasks", "ls").out().contains("sk1") && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(300); // the last events delivered
        } finally {
            events.destroyForcibly().waitFor();
        }
        log.add("events: " + Files.readAllLines(out).stream().filter(l -> l.contains("sk1"))
                .map(l -> l.replaceFirst("^.*? UTC\\s+\\S+\\s+", "")).map(l -> normalized(new Processes.Result(0, l, "")).out())
                .map(l -> l.replaceAll("\"pid\":\\d+", "\"pid\":<pid>").replaceAll("/fifo/\\d+/", "/fifo/<n>/")
                        .replaceAll("\"(bundle|workdir|upperdir|lowerdir)[^,\\]]*", "<path>"))
                .toList());
        Files.delete(out);
        log.add("ls: " + normalized(ctr(s, "tasks", "ls")));
        log.add("containers: " + normalized(ctr(s, "containers", "ls", "-q")));
        log.add("delete: " + normalized(ctr(s, "tasks", "delete", "sk1")));
        log.add("run: " + normalized(ctr(s, "run", "--rm", IMAGE, "sk2", "echo", "still serving")));
        log.add("rm: " + normalized(ctr(s, "containers", "rm", "sk1")));
        return log;
    }

    /**
     * The launcher runs the JIT's compiler threads at nice 19 in the idle scheduling class (as root;
     * the JVM counts among them its training-replay thread on JDK 25 with an AOT cache and its code
     * cache sweeper on JDK 17); no other thread of the daemon, and so neither a shim it starts nor a
     * container, may run at anything but nice 0 in the normal class.
     */
    @Test
    public void onlyTheCompilerThreadsRunAtALowerPriority() throws Exception {
        Map<String, String> compilers = new TreeMap<>();
        Map<String, String> others = new TreeMap<>();
        threadPriorities(ours.process().pid()).forEach((name, priority) ->
                (name.matches("(C[12] CompilerThre.*|Training replay|Sweeper thread)/\\d+") ? compilers : others).put(name, priority));
        // nice 19 in the idle scheduling class (5, SCHED_IDLE); all else nice 0 in the normal class (0)
        assertTrue(compilers.toString(), !compilers.isEmpty() && compilers.values().stream().allMatch("19/5"::equals));
        assertTrue(others.toString(), others.values().stream().allMatch("0/0"::equals));
        try {
            ProcessHandle task = ProcessHandle.of(runSleeping(ours.socket, "nice1")).orElseThrow();
            ProcessHandle shim = task.parent().orElseThrow();
            assertEquals("container", "0/0", priority(Processes.statFields(Path.of("/proc/" + task.pid() + "/stat"))));
            assertEquals("shim", "0/0", priority(Processes.statFields(Path.of("/proc/" + shim.pid() + "/stat"))));
        } finally {
            cleanUp(ours.socket);
        }
    }

    @Test
    public void aDaemonStartedAtAnotherNiceValueKeepsItInAllItsThreads() throws Exception {
        try (Daemon niced = Daemon.create("").nice(5).start()) {
            Map<String, String> threads = threadPriorities(niced.process().pid());
            assertTrue(threads.toString(), threads.keySet().stream().anyMatch(n -> n.startsWith("C1 CompilerThre")));
            assertTrue(threads.toString(), threads.values().stream().allMatch("5/0"::equals));
        }
    }

    /** {@code name/tid} to {@link #priority} of each thread of process {@code pid}; one that ends meanwhile is left out. */
    private static Map<String, String> threadPriorities(long pid) throws IOException {
        Map<String, String> threads = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String[] stat = Processes.statFields(t.resolve("stat"));
                    threads.put(stat[0] + "/" + t.getFileName(), priority(stat));
                } catch (IOException e) {
                    if (Files.exists(t)) {
                        throw e;
                    }
                    // a short-lived thread (the daemon starts and ends some) is gone
                }
            }
        }
        return threads;
    }

    /** A thread's or process's nice value and scheduling policy, {@code nice/policy}, from {@link Processes#statFields}. */
    private static String priority(String[] stat) {
        return stat[17] + "/" + stat[39];
    }

    @Test
    public void detachedTaskIsListedExecedPausedKilledAndDeleted() throws Exception {
        List<List<String>> both = onBoth(RunIT::session);
        assertEquals(String.join("\n", both.get(1)), String.join("\n", both.get(0)));
    }

    /** One detached task's life; answers each step's normalized output. */
    private static List<String> session(Path s) throws Exception {
        List<String> log = new ArrayList<>();
        Processes.Result run = ctr(s, "run", "-d", IMAGE, "d1", "sleep", "1000");
        log.add("run: " + normalized(run));
        Processes.Result ls = ctr(s, "tasks", "ls");
        Matcher m = Pattern.compile("d1\\s+(\\d+)\\s+RUNNING").matcher(ls.out());
        assertTrue(ls.toString(), m.find());
        int pid = Integer.parseInt(m.group(1));
        assertTrue("the pid is a live process", Files.exists(Path.of("/proc/" + pid)));
        log.add("ls: " + normalized(ls));
        log.add("ps: " + normalized(ctr(s, "tasks", "ps", "d1")));
        log.add("exec: " + normalized(ctr(s, "tasks", "exec", "--exec-id", "e1", "d1", "echo", "hi")));
        log.add("exec 3: " + normalized(ctr(s, "tasks", "exec", "--exec-id", "e2", "d1", "sh", "-c", "exit 3")));
        log.add("pause: " + normalized(ctr(s, "tasks", "pause", "d1")));
        log.add("ls paused: " + normalized(ctr(s, "tasks", "ls")));
        log.add("resume: " + normalized(ctr(s, "tasks", "resume", "d1")));
        log.add("ls resumed: " + normalized(ctr(s, "tasks", "ls")));
        Processes.Result metrics = ctr(s, "tasks", "metrics", "d1");
        assertTrue(metrics.toString(), metrics.rc() == 0 && (metrics.out().contains("memory.usage_in_bytes")
                || metrics.out().contains("pids.current")));
        log.add("delete running: " + normalized(ctr(s, "tasks", "delete", "d1")));
        log.add("rm running: " + normalized(ctr(s, "containers", "rm", "d1")));
        log.add("kill: " + normalized(ctr(s, "tasks", "kill", "d1")));
        long deadline = System.currentTimeMillis() + 10_000;
        while (!ctr(s, "tasks", "ls").out().contains("STOPPED") && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        log.add("ls stopped: " + normalized(ctr(s, "tasks", "ls")));
        log.add("kill stopped: " + normalized(ctr(s, "tasks", "kill", "d1")));
        log.add("delete: " + normalized(ctr(s, "tasks", "delete", "d1")));
        log.add("delete again: " + normalized(ctr(s, "tasks", "delete", "d1")));
        log.add("rm: " + normalized(ctr(s, "containers", "rm", "d1")));
        log.add("snapshots: " + normalized(ctr(s, "snapshots", "ls")).out().lines().filter(l -> l.contains("d1")).toList());
        return log;
    }

    /** {@code ctr run -d <image> <id> sleep 1000}; answers the task's pid as {@code tasks ls} shows it. */
    private static long runSleeping(Path s, String id) throws IOException, InterruptedException {
        Processes.Result run = ctr(s, "run", "-d", IMAGE, id, "sleep", "1000");
        assertEquals(run.toString(), 0, run.rc());
        Matcher m = Pattern.compile(id + "\\s+(\\d+)\\s+RUNNING").matcher(ctr(s, "tasks", "ls").out());
        assertTrue(id + " running", m.find());
        return Long.parseLong(m.group(1));
    }

    /** {@code tasks ls}, again until it lists {@code id} (a restarted daemon finds its shims in the background). */
    private static Processes.Result awaitListed(Path s, String id) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        Processes.Result ls = ctr(s, "tasks", "ls");
        while (!ls.out().contains(id) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            ls = ctr(s, "tasks", "ls");
        }
        return ls;
    }

    /** Pids, times and our socket path differ between two daemons; everything else must not. */
    static Processes.Result normalized(Processes.Result r) {
        java.util.function.Function<String, String> n = x -> x
                .replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z", "<time>")
                .replaceAll("time=\"[^\"]*\"", "time=<time>")
                .replaceAll("(?m)^(\\S+\\s+)\\d+(\\s+(RUNNING|STOPPED|PAUSED|CREATED))", "$1<pid>$2")
                .replaceAll("(?m)^\\d+(\\s+)", "<pid>$1")
                .replaceAll(" +", " "); // table columns are as wide as the pids
        return new Processes.Result(r.rc(), n.apply(r.out()), n.apply(r.err()));
    }
}
