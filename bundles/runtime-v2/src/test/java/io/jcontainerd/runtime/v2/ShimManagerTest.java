package io.jcontainerd.runtime.v2;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import containerd.events.TaskExit;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.mount.linux.LinuxMounter;
import io.jcontainerd.runtime.CreateOpts;
import io.jcontainerd.runtime.Exit;
import io.jcontainerd.runtime.ExecOpts;
import io.jcontainerd.runtime.ProcessState;
import io.jcontainerd.runtime.RuntimeProcess;
import io.jcontainerd.runtime.RuntimeTask;
import io.jcontainerd.runtime.Status;
import io.jcontainerd.runtime.TaskIO;
import io.jcontainerd.types.TypedValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import com.google.protobuf.Empty;
import containerd.services.events.ttrpc.v1.ForwardRequest;
import io.jcontainerd.ttrpc.Handler;
import io.jcontainerd.ttrpc.PeerCheck;
import io.jcontainerd.ttrpc.TtrpcServer;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime against the real containerd-shim-runc-v2 and runc: tasks whose root file system is a
 * bind mount (mounted by the shim) of a directory holding the host's /usr.
 */
class ShimManagerTest {
    record Published(String ns, String topic, TypedValue event) {
    }

    @TempDir
    Path tmp;
    Path image;
    final List<Published> events = Collections.synchronizedList(new ArrayList<>());
    final LinuxMounter mounter = new LinuxMounter();
    final String ns = "jcd-rt-test";
    ShimManager manager;
    /** The daemon's ttrpc endpoint as far as shims see it: topics they forward, in order. */
    TtrpcServer ttrpc;
    final List<String> forwarded = Collections.synchronizedList(new ArrayList<>());
    final List<String> started = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() throws IOException {
        image = Files.createDirectories(tmp.resolve("image"));
        for (String d : List.of("usr", "proc", "dev", "tmp")) {
            Files.createDirectories(image.resolve(d));
        }
        for (String l : List.of("bin", "lib", "lib64", "sbin")) {
            Files.createSymbolicLink(image.resolve(l), Path.of("usr/" + l));
        }
        ttrpc = new TtrpcServer(PeerCheck.sameUser());
        ttrpc.register("containerd.services.events.ttrpc.v1.Events", Map.of("Forward",
                Handler.unary(ForwardRequest.parser(), (ctx, r) -> {
                    forwarded.add(r.getEnvelope().getTopic());
                    return Empty.getDefaultInstance();
                })));
        ttrpc.serve(tmp.resolve("grpc.sock.ttrpc"));
        manager = manager(ShimManager.Warming.DEFAULTS);
    }

    private ShimManager manager(ShimManager.Warming warming) {
        return manager(warming, WarmShims.SETTLE, ShimManager.MAX_SERVED);
    }

    private ShimManager manager(ShimManager.Warming warming, java.time.Duration settle, int maxServed) {
        return new ShimManager(new ShimManager.Config(tmp.resolve("root"), tmp.resolve("state"), tmp.resolve("runc"),
                tmp.resolve("grpc.sock").toString(), tmp.resolve("grpc.sock.ttrpc").toString(), "/bin/true",
                System.getenv("PATH"), false, ShimManager.Timeouts.DEFAULTS, warming),
                (n, topic, event) -> events.add(new Published(n, topic, event)), mounter,
                new PrintStream(new ByteArrayOutputStream()), settle, maxServed);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (String id : List.copyOf(started)) {
            try {
                RuntimeTask t = manager.get(ns, id);
                t.kill(9, true);
                t.waitExit();
                manager.delete(ns, id);
            } catch (ContainerdException e) {
                // already gone
            }
        }
        manager.close();
        ttrpc.close();
        removeCgroups();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!shimsIn(tmp).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), shimsIn(tmp), "shims left running");
    }

    /** The processes whose working directory is under {@code dir}: shims run in their bundles. */
    private static List<Long> shimsIn(Path dir) {
        List<Long> out = new ArrayList<>();
        try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (Files.readSymbolicLink(p.resolve("cwd")).startsWith(dir) && running(Long.parseLong(
                            p.getFileName().toString()))) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // exited meanwhile, or a kernel thread
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** The warm shims' placeholder bundles in the test namespace. */
    private List<Path> warmBundles() throws IOException {
        Path nsDir = tmp.resolve("state").resolve(ns);
        if (!Files.isDirectory(nsDir)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> s = Files.list(nsDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("." + ShimManager.WARM)).toList();
        }
    }

    /** Waits for the one warm shim of the test namespace to be ready; answers its placeholder bundle. */
    private Path oneWarmShim() throws Exception {
        waitFor(() -> {
            try {
                List<Path> w = warmBundles();
                return manager.warmShimsReady(ns) == 1 && w.size() == 1 && shimsIn(w.get(0)).size() == 1;
            } catch (IOException e) {
                return false;
            }
        });
        List<Path> w = warmBundles();
        assertEquals(1, manager.warmShimsReady(ns), "one warm shim ready");
        assertEquals(1, w.size(), "one warm shim: " + w);
        assertEquals(1, shimsIn(w.get(0)).size(), "its shim runs");
        return w.get(0);
    }

    /** The specs put tasks in /jcd-rt-test/<id>; runc removes the task's cgroup, not the parent. */
    private void removeCgroups() {
        try (java.util.stream.Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.filter(h -> !Files.isSymbolicLink(h)).toList()) {
                Path parent = h.resolve(ns);
                for (String id : started) {
                    Files.deleteIfExists(parent.resolve(id)); // rmdir, should one be left
                }
                Files.deleteIfExists(parent);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("removing the tests' cgroups", e);
        }
    }

    private RuntimeTask create(String... args) {
        return createAs("t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10), args);
    }

    private RuntimeTask createAs(String id, String... args) {
        started.add(id);
        return manager.create(ns, id, new CreateOpts(new TypedValue("types.containerd.io/opencontainers/runtime-spec/1/Spec",
                spec(args).getBytes(UTF_8)), List.of(new Mount("bind", image.toString(), List.of("rbind", "rw"))),
                new TaskIO("", "", "", false), "", "io.containerd.runc.v2", null, null));
    }

    @Test
    void runsTaskToItsExitStatusAndCleansUp() throws Exception {
        RuntimeTask t = create("sh", "-c", "exit 7");
        Path bundle = tmp.resolve("state").resolve(ns).resolve(t.id());
        assertTrue(Files.isRegularFile(bundle.resolve("config.json")));
        assertEquals(tmp.resolve("root").resolve(ns).resolve(t.id()), Files.readSymbolicLink(bundle.resolve("work")));
        assertTrue(Files.isSymbolicLink(bundle.resolve("rootfs/bin")), "the shim mounted the rootfs");
        int pid = t.pid();
        assertTrue(pid > 0);
        assertEquals(pid, ((ShimTask) t).connect(null).getTaskPid(), "the pid the shim's Create answered is the task's");
        assertEquals(pid, t.state().pid());
        assertEquals(Status.CREATED, t.state().status());
        assertEquals(pid, t.start());
        Exit exit = t.waitExit();
        assertEquals(7, exit.status());
        assertEquals(pid, exit.pid());
        assertEquals(Status.STOPPED, t.state().status());
        assertTrue(Files.isDirectory(tmp.resolve("runc").resolve(ns).resolve(t.id())), "runc state under our root");

        long shimPid = ((ShimTask) t).connect(null).getShimPid();
        Exit deleted = manager.delete(ns, t.id());
        assertGone(shimPid);
        assertEquals(7, deleted.status());
        assertEquals(pid, deleted.pid());
        Path work = tmp.resolve("root").resolve(ns).resolve(t.id());
        waitFor(() -> !Files.exists(bundle) && !Files.exists(work)); // the shim stops, then the bundle goes, after the delete answered
        assertFalse(Files.exists(bundle));
        assertFalse(Files.exists(work));
        assertFalse(Files.exists(tmp.resolve("runc").resolve(ns).resolve(t.id())));
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(bundle.toString()));
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(ContainerdException.class, () -> manager.get(ns, t.id())).code());
        waitFor(() -> forwarded.size() >= 4);
        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete"), forwarded);
        assertTrue(events.isEmpty(), "the shim publishes a normal task's events, not the runtime: " + events);
    }

    /** Docker's restart policy and `ctr task rm` then `ctr task start` do this: the new task waits for the old shim. */
    @Test
    void aTaskCreatedAgainAtOnceUnderTheSameIdGetsAShimOfItsOwn() throws Exception {
        manager.close();
        manager = manager(ShimManager.Warming.NONE); // shims started for their tasks, as containerd's
        RuntimeTask first = create("sh", "-c", "exit 3");
        first.start();
        assertEquals(3, first.waitExit().status());
        long firstShim = ((ShimTask) first).connect(null).getShimPid();
        assertEquals(3, manager.delete(ns, first.id()).status());

        RuntimeTask second = createAs(first.id(), "sh", "-c", "exit 4");
        long secondShim = ((ShimTask) second).connect(null).getShimPid();
        assertTrue(secondShim != firstShim, "a new shim");
        assertFalse(running(firstShim), "the first shim stopped before the second task was created");
        second.start();
        assertEquals(4, second.waitExit().status());
        assertEquals(4, manager.delete(ns, second.id()).status());
        Path bundle = tmp.resolve("state").resolve(ns).resolve(first.id());
        waitFor(() -> !Files.exists(bundle));
        assertFalse(Files.exists(bundle));
        assertGone(secondShim);
    }

    @Test
    void execsAndKills() throws Exception {
        RuntimeTask t = create("sleep", "1000");
        t.start();
        assertEquals(Status.RUNNING, t.state().status());
        RuntimeProcess e = t.exec("e1", new ExecOpts(new TypedValue("types.containerd.io/opencontainers/runtime-spec/1/Process",
                "{\"args\":[\"sh\",\"-c\",\"exit 3\"],\"cwd\":\"/\",\"env\":[\"PATH=/usr/bin:/bin\"],\"user\":{\"uid\":0,\"gid\":0}}"
                        .getBytes(UTF_8)), new TaskIO("", "", "", false)));
        assertTrue(e.start() > 0);
        assertEquals(3, e.waitExit().status());
        ProcessState es = t.process("e1").state();
        assertEquals(Status.STOPPED, es.status());
        assertEquals(3, e.delete().status());
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(ContainerdException.class, () -> t.process("e1")).code());
        assertTrue(t.pids().stream().anyMatch(p -> p.pid() == t.pid()));
        t.pause();
        assertEquals(Status.PAUSED, t.state().status());
        t.resume();
        assertEquals(Status.RUNNING, t.state().status());
        assertTrue(t.stats() != null);
        t.kill(9, false);
        assertEquals(137, t.waitExit().status());
        long shimPid = ((ShimTask) t).connect(null).getShimPid();
        manager.delete(ns, t.id());
        assertGone(shimPid);
    }

    @Test
    void deadShimIsCleanedUpAndItsTaskExitPublished() throws Exception {
        RuntimeTask t = create("sleep", "1000");
        int pid = t.start();
        long shimPid = ((ShimTask) t).connect(null).getShimPid();
        ProcessHandle.of(shimPid).orElseThrow().destroyForcibly();
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (events.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of("/tasks/exit", "/tasks/delete"), events.stream().map(Published::topic).toList());
        TaskExit exit = TaskExit.parseFrom(events.get(0).event().value());
        assertEquals(t.id(), exit.getContainerId());
        assertEquals(pid, exit.getPid());
        assertEquals(137, exit.getExitStatus());
        assertFalse(running(pid), "runc delete killed the task");
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(ContainerdException.class, () -> manager.get(ns, t.id())).code());
        assertFalse(Files.exists(tmp.resolve("state").resolve(ns).resolve(t.id())));
    }

    private ShimManager restarted() {
        manager.close(); // as the daemon stops: connections close, shims go on
        manager = manager(ShimManager.Warming.DEFAULTS);
        return manager;
    }

    @Test
    void aWarmShimStartedAfterACreateTakesTheNextTask() throws Exception {
        RuntimeTask first = create("true");
        Path warm = oneWarmShim();
        long warmShim = shimsIn(warm).get(0);
        String address = Files.readString(warm.resolve("address"));

        RuntimeTask t = create("sh", "-c", "echo $0 > /tmp/out; exit 6", "taken");
        Path bundle = tmp.resolve("state").resolve(ns).resolve(t.id());
        assertFalse(Files.exists(warm), "the placeholder became the task's bundle");
        assertEquals(address, Files.readString(bundle.resolve("address")));
        assertEquals(warmShim, ((ShimTask) t).connect(null).getShimPid());
        assertEquals(List.of(warmShim), shimsIn(bundle), "the shim works in the task's bundle");
        assertTrue(Files.readString(bundle.resolve("config.json")).contains("\"taken\""), "the task's spec");
        assertEquals(tmp.resolve("root").resolve(ns).resolve(t.id()), Files.readSymbolicLink(bundle.resolve("work")));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(bundle)));
        int pid = t.start();
        Exit exit = t.waitExit();
        assertEquals(6, exit.status());
        assertEquals(pid, exit.pid());
        assertEquals(Status.STOPPED, t.state().status());
        waitFor(() -> manager.warmShimsReady(ns) == 1); // the next one started: this one is not wanted back
        assertEquals(1, manager.warmShimsReady(ns));
        assertEquals(6, manager.delete(ns, t.id()).status());
        assertGone(warmShim);
        waitFor(() -> !Files.exists(bundle));
        assertFalse(Files.exists(bundle));
        waitFor(() -> forwarded.size() >= 5);
        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete"),
                forwarded.subList(forwarded.size() - 4, forwarded.size()), "the warm shim publishes the task's events");
        assertTrue(events.isEmpty(), events.toString());
        oneWarmShim(); // and the next one waits
        assertEquals(Status.CREATED, first.state().status());
    }

    /**
     * A task that ends before the next warm shim started (here: before a long settling time) gives its
     * warm shim back, emptied, for the next task; after the most tasks a shim serves, it stops.
     */
    @Test
    void aDeletedTasksWarmShimTakesTheNextTaskUntilItServedTheMost() throws Exception {
        manager.close();
        manager = manager(ShimManager.Warming.DEFAULTS, java.time.Duration.ofSeconds(2), 2);
        create("true");
        Path warm = oneWarmShim();
        long shim = shimsIn(warm).get(0);
        String address = Files.readString(warm.resolve("address"));

        RuntimeTask t1 = create("sh", "-c", "exit 6");
        Path bundle1 = tmp.resolve("state").resolve(ns).resolve(t1.id());
        assertEquals(shim, ((ShimTask) t1).connect(null).getShimPid());
        t1.start();
        assertEquals(6, t1.waitExit().status());
        assertEquals(6, manager.delete(ns, t1.id()).status());
        Path again = oneWarmShim();
        assertEquals(List.of(shim), shimsIn(again), "the same shim, warm again");
        assertFalse(Files.exists(bundle1), "its bundle became the placeholder");
        assertFalse(Files.exists(tmp.resolve("root").resolve(ns).resolve(t1.id())), "the work directory went");
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(bundle1.toString()));
        try (java.util.stream.Stream<Path> files = Files.list(again)) {
            assertEquals(List.of("address", "config.json", "log"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("{}", Files.readString(again.resolve("config.json")));
        assertEquals(address, Files.readString(again.resolve("address")));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(again)));

        waitFor(() -> forwarded.size() >= 5); // the first task's create, then t1's four
        assertEquals(5, forwarded.size(), forwarded.toString());
        forwarded.clear();
        RuntimeTask t2 = create("sh", "-c", "exit 5");
        assertEquals(shim, ((ShimTask) t2).connect(null).getShimPid());
        assertFalse(Files.exists(again));
        int pid = t2.start();
        Exit exit = t2.waitExit();
        assertEquals(5, exit.status());
        assertEquals(pid, exit.pid());
        assertEquals(5, manager.delete(ns, t2.id()).status());
        assertGone(shim); // its second task: the most here
        waitFor(() -> forwarded.size() >= 4);
        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete"), forwarded,
                "the shim publishes its second task's events");
        assertTrue(events.isEmpty(), events.toString());
        Path bundle2 = tmp.resolve("state").resolve(ns).resolve(t2.id());
        waitFor(() -> !Files.exists(bundle2));
        assertFalse(Files.exists(bundle2));
    }

    @Test
    void closingTheRuntimeStopsItsWarmShims() throws Exception {
        RuntimeTask t = create("true");
        manager.delete(ns, t.id());
        Path warm = oneWarmShim();
        long shim = shimsIn(warm).get(0);
        Path socket = ShimBinary.socketOf(Files.readString(warm.resolve("address")));
        manager.close();
        assertGone(shim);
        assertFalse(Files.exists(warm));
        waitFor(() -> !Files.exists(socket));
        assertFalse(Files.exists(socket), "the shim removed its socket");
    }

    @Test
    void aBurstOfCreatesIsMetByAsManyWarmShimsUpToTheMost() throws Exception {
        manager.close();
        manager = manager(new ShimManager.Warming(2, java.time.Duration.ofMinutes(5)));
        create("true");
        oneWarmShim(); // creates one at a time: one
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<RuntimeTask>> burst = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                burst.add(pool.submit(() -> {
                    go.await();
                    return create("true");
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<RuntimeTask> f : burst) {
                assertEquals(Status.CREATED, f.get(60, java.util.concurrent.TimeUnit.SECONDS).state().status());
            }
        } finally {
            pool.shutdown();
        }
        waitFor(() -> {
            try {
                return manager.warmShimsReady(ns) == 2 && warmBundles().size() == 2;
            } catch (IOException e) {
                return false;
            }
        });
        Thread.sleep(300); // a third would have started by now
        assertEquals(2, warmBundles().size(), "three at once, two at most: " + warmBundles());
        assertEquals(2, manager.warmShimsReady(ns));
        for (Path w : warmBundles()) {
            assertEquals(1, shimsIn(w).size(), "a shim runs in " + w);
        }
    }

    @Test
    void warmShimsAreStoppedWhenNoCreateUsedThemForTheIdleTime() throws Exception {
        manager.close();
        manager = manager(new ShimManager.Warming(1, java.time.Duration.ofMillis(1500)));
        RuntimeTask t = create("true");
        manager.delete(ns, t.id());
        Path warm = oneWarmShim();
        long shim = shimsIn(warm).get(0);
        long deadline = System.nanoTime() + 6_000_000_000L;
        while (running(shim) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(running(shim), "stopped after the idle time");
        waitFor(() -> !Files.exists(warm));
        assertEquals(List.of(), warmBundles());
    }

    @Test
    void noWarmShimsWhenTheyAreTurnedOff() throws Exception {
        manager.close();
        manager = manager(ShimManager.Warming.NONE);
        RuntimeTask t = create("true");
        long shim = ((ShimTask) t).connect(null).getShimPid();
        manager.delete(ns, t.id());
        assertGone(shim);
        Thread.sleep(300); // a warm shim would have started by now (it takes about 10 ms)
        assertEquals(List.of(), warmBundles());
        assertEquals(List.of(), shimsIn(tmp));
    }

    /**
     * A daemon killed with SIGKILL leaves its warm shims running, one perhaps still waiting for a reader
     * of its log before it serves (the daemon died during its start); the next daemon stops them.
     */
    @Test
    void warmShimsLeftByAPreviousRunAreStoppedAtLoad() throws Exception {
        manager.close();
        Path left = tmp.resolve("state").resolve(ns).resolve("." + ShimManager.WARM + "left");
        Files.createDirectories(left);
        Files.writeString(left.resolve("config.json"), "{}");
        Bundle placeholder = new Bundle(ShimManager.WARM + "left", ns, left);
        Path socket;
        try (ShimLog log = ShimLog.open(placeholder, new PrintStream(new ByteArrayOutputStream()))) {
            socket = new ShimBinary(Path.of("/usr/bin/containerd-shim-runc-v2"), placeholder,
                    tmp.resolve("grpc.sock").toString(), tmp.resolve("grpc.sock.ttrpc").toString(), "/bin/true", false)
                    .start(null);
        } // as the killed daemon's end of the log goes: the shim may not have opened its end yet
        List<Long> shim = shimsIn(left);
        assertEquals(1, shim.size());
        manager = manager(ShimManager.Warming.DEFAULTS);
        manager.loadExisting().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertGone(shim.get(0));
        waitFor(() -> !Files.exists(left) && !Files.exists(socket));
        assertFalse(Files.exists(left));
        assertFalse(Files.exists(socket));
        assertTrue(events.isEmpty(), "no task, no events: " + events);
    }

    @Test
    void onlyRuncShimsOfUngroupedTasksAreWarmable() {
        Path runc = Path.of("/usr/bin/containerd-shim-runc-v2");
        assertTrue(ShimManager.warmable(runc, spec("true").getBytes(UTF_8)));
        assertFalse(ShimManager.warmable(Path.of("/usr/bin/containerd-shim-runc-v1"), spec("true").getBytes(UTF_8)));
        assertFalse(ShimManager.warmable(runc, "{\"annotations\":{\"io.containerd.runc.v2.group\":\"g1\"}}".getBytes(UTF_8)));
        assertFalse(ShimManager.warmable(runc, "{\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"p1\"}}".getBytes(UTF_8)));
    }

    @Test
    void tasksSurviveARestartOfTheRuntime() throws Exception {
        RuntimeTask t = create("sleep", "1000");
        int pid = t.start();
        RuntimeTask exited = create("sh", "-c", "exit 5");
        exited.start();
        assertEquals(5, exited.waitExit().status());

        ShimManager again = restarted();
        again.loadExisting().get(30, java.util.concurrent.TimeUnit.SECONDS);
        RuntimeTask back = again.get(ns, t.id());
        assertEquals(pid, back.pid());
        assertEquals(Status.RUNNING, back.state().status());
        RuntimeProcess e = back.exec("e1", new ExecOpts(new TypedValue("types.containerd.io/opencontainers/runtime-spec/1/Process",
                "{\"args\":[\"true\"],\"cwd\":\"/\",\"env\":[\"PATH=/usr/bin:/bin\"],\"user\":{\"uid\":0,\"gid\":0}}"
                        .getBytes(UTF_8)), new TaskIO("", "", "", false)));
        e.start();
        assertEquals(0, e.waitExit().status());
        ProcessState stopped = again.get(ns, exited.id()).state();
        assertEquals(Status.STOPPED, stopped.status());
        assertEquals(5, stopped.exitStatus());
        back.kill(9, false);
        assertEquals(137, back.waitExit().status());
        assertEquals(5, again.delete(ns, exited.id()).status());
        assertEquals(137, again.delete(ns, t.id()).status());
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void shimThatDiedWhileTheRuntimeWasDownIsCleanedUpAtLoad() throws Exception {
        RuntimeTask t = create("sleep", "1000");
        int pid = t.start();
        long shimPid = ((ShimTask) t).connect(null).getShimPid();
        ShimManager again = restarted();
        ProcessHandle.of(shimPid).orElseThrow().destroyForcibly();
        assertGone(shimPid);
        again.loadExisting().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(ContainerdException.class, () -> again.get(ns, t.id())).code());
        assertEquals(List.of("/tasks/exit", "/tasks/delete"), events.stream().map(Published::topic).toList());
        TaskExit exit = TaskExit.parseFrom(events.get(0).event().value());
        assertEquals(pid, exit.getPid());
        assertEquals(137, exit.getExitStatus());
        assertFalse(running(pid));
        assertFalse(Files.exists(tmp.resolve("state").resolve(ns).resolve(t.id())));
    }

    @Test
    void unknownRuntimeIsReported() {
        ContainerdException e = assertThrows(ContainerdException.class, () -> manager.create(ns, "x1",
                new CreateOpts(new TypedValue("t", "{}".getBytes(UTF_8)), List.of(), null, "", "io.containerd.nope.v9",
                        null, null)));
        assertEquals("failed to start shim: failed to resolve runtime path: runtime \"io.containerd.nope.v9\" binary"
                + " not installed \"containerd-shim-nope-v9\": file does not exist", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("state").resolve(ns).resolve("x1")));
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static void assertGone(long pid) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (running(pid) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(running(pid), "process " + pid + " still runs");
    }

    /** Alive and not a zombie waiting for init to reap it. */
    private static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc/" + pid + "/stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String s = Files.readString(stat);
        return !s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
    }

    private static String spec(String... args) {
        StringBuilder a = new StringBuilder();
        for (String s : args) {
            a.append(a.length() == 0 ? "" : ",").append('"').append(s.replace("\"", "\\\"")).append('"');
        }
        return """
                {"ociVersion":"1.0.2-dev",
                 "process":{"terminal":false,"user":{"uid":0,"gid":0},"args":[%s],
                   "env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"cwd":"/","noNewPrivileges":true},
                 "root":{"path":"rootfs","readonly":true},
                 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
                   {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
                   {"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev"]},
                   {"destination":"/usr","type":"bind","source":"/usr","options":["rbind","ro"]}],
                 "linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}],
                   "cgroupsPath":"/jcd-rt-test/%s"}}
                """.formatted(a, UUID.randomUUID());
    }
}
