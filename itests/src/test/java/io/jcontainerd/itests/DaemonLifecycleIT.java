package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import containerd.services.containers.v1.Container;
import containerd.services.containers.v1.ContainersGrpc;
import containerd.services.containers.v1.CreateContainerRequest;
import containerd.services.containers.v1.ListContainersRequest;
import containerd.services.namespaces.v1.ListNamespacesRequest;
import containerd.services.namespaces.v1.NamespacesGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;

/** Start, stop, crash and exclusivity of the daemon process. */
public class DaemonLifecycleIT {

    @Test
    public void namespaceSurvivesKill9() throws Exception {
        try (Daemon d = Daemon.create("").start()) {
            assertEquals(0, d.ctr("namespaces", "create", "n2", "k=v").rc());
            d.kill9();
            assertTrue("a SIGKILLed daemon leaves its socket file", Files.exists(d.socket));
            d.start();
            Processes.Result ls = d.ctr("namespaces", "ls");
            assertEquals(ls.toString(), 0, ls.rc());
            assertTrue(ls.out(), ls.out().lines().anyMatch(l -> l.matches("n2\\s+k=v\\s*")));
        }
    }

    /**
     * Every container create acknowledged before a SIGKILL in the middle of 16 concurrent clients (each in
     * its own namespace) is there after restart, whole.
     */
    @Test
    public void acknowledgedWritesSurviveKill9UnderLoad() throws Exception {
        try (Daemon d = Daemon.create("").start()) {
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean killed = new AtomicBoolean();
            List<String> failedBeforeTheKill = new java.util.concurrent.CopyOnWriteArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try (Grpc grpc = new Grpc(d.socket)) {
                for (int t = 0; t < 16; t++) {
                    int worker = t;
                    ContainersGrpc.ContainersBlockingStub containers = ContainersGrpc.newBlockingStub(grpc.channel)
                            .withInterceptors(Grpc.namespace("load" + worker));
                    pool.submit(() -> {
                        for (int i = 0; !stop.get(); i++) {
                            String id = "c" + i;
                            try {
                                containers.create(CreateContainerRequest.newBuilder().setContainer(
                                        ContainersIT.container(id).toBuilder().putLabels("i", "" + i)).build());
                                acknowledged.add("load" + worker + "/" + id);
                            } catch (RuntimeException e) {
                                if (!killed.get()) {
                                    failedBeforeTheKill.add("load" + worker + "/" + id + ": " + e);
                                }
                                return;
                            }
                        }
                    });
                }
                Thread.sleep(1500);
                killed.set(true);
                d.kill9();
                stop.set(true);
                pool.shutdown();
                assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            }
            assertEquals("creates that failed before the kill", List.of(), failedBeforeTheKill);
            assertTrue("the load produced writes: " + acknowledged.size(), acknowledged.size() > 50);
            d.start();
            try (Grpc grpc = new Grpc(d.socket)) {
                Set<String> present = new HashSet<>();
                for (int t = 0; t < 16; t++) {
                    for (Container c : ContainersGrpc.newBlockingStub(grpc.channel).withInterceptors(Grpc.namespace("load" + t))
                            .list(ListContainersRequest.getDefaultInstance()).getContainersList()) {
                        present.add("load" + t + "/" + c.getId());
                        // nothing half-written: every record has its label, spec and runtime
                        assertEquals(c.getId().substring(1), c.getLabelsOrThrow("i"));
                        assertEquals(ContainersIT.container("x").getSpec(), c.getSpec());
                        assertEquals("io.containerd.runc.v2", c.getRuntime().getName());
                    }
                }
                Set<String> lost = new HashSet<>(acknowledged);
                lost.removeAll(present);
                assertTrue("acknowledged but lost: " + lost, lost.isEmpty());
            }
        }
    }

    /**
     * The build's training run lists the bundle classes it loaded (lib/preload.classes); the daemon
     * loads every one of them before it serves, so that calls arriving together at a path not yet
     * taken find its classes instead of spinning on Felix's class definition locks (16 concurrent
     * first creates once took seconds, see {@link #acknowledgedWritesSurviveKill9UnderLoad}).
     */
    @Test
    public void theTrainedClassesAreLoadedBeforeTheDaemonServes() throws Exception {
        Path list = Daemon.DIST.resolve("lib").resolve("preload.classes");
        assertTrue("the build wrote " + list, Files.isRegularFile(list));
        List<String> lines = Files.readAllLines(list);
        assertTrue("the list names the containers service's classes: " + lines.size(),
                lines.stream().anyMatch(l -> l.matches("jcontainerd-containers-grpc-[^ ]+\\.jar "
                        + "io\\.jcontainerd\\.containers\\.grpc\\.ContainersGrpcPlugin")));
        try (Daemon d = Daemon.create("[debug]\n  level = \"debug\"").start()) {
            // the socket can answer a moment before the server has logged that it serves
            String log = d.logText();
            for (int i = 0; i < 100 && !log.contains("msg=\"serving..."); i++) {
                Thread.sleep(100);
                log = d.logText();
            }
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("msg=\"preloaded (\\d+) classes \\((\\d+) not loadable\\) in \\d+ ms\"").matcher(log);
            assertTrue(log, m.find());
            assertEquals("every listed class loaded", lines.size() + " 0", m.group(1) + " " + m.group(2));
            assertTrue("before serving", log.indexOf("msg=\"preloaded") < log.indexOf("msg=\"serving..."));
        }
    }

    /** The preload list is a hint from the build: a damaged one is reported, and the daemon starts and serves. */
    @Test
    public void aDamagedPreloadListIsReportedAndTheDaemonStillServes() throws Exception {
        try (Daemon d = Daemon.create("").distributionWith("preload.classes",
                "not a jar and a class\njcontainerd-core-0.1.0-SNAPSHOT.jar no.such.Class\n").start()) {
            assertTrue(d.logText(), d.logText().contains(
                    "1 lines are not \\\"<jar> <class>\\\" and were skipped, the first: \\\"not a jar and a class\\\""));
            Processes.Result plugins = d.ctr("plugins", "ls");
            assertEquals(plugins.toString(), 0, plugins.rc());
            assertTrue(plugins.out(), java.util.regex.Pattern.compile("(?m)^io\\.containerd\\.grpc\\.v1\\s+containers\\s+-\\s+ok")
                    .matcher(plugins.out()).find());
            assertFalse(plugins.out(), plugins.out().contains(" error"));
        }
    }

    /**
     * Regression: the socket once opened while SCR had not yet read the plugin bundles, so the first
     * clients met "unknown service". The first call after the socket answers must find every service.
     */
    @Test
    public void theFirstCallAfterTheSocketOpensFindsEveryService() throws Exception {
        for (int round = 0; round < 3; round++) {
            try (Daemon d = Daemon.create("").start(); Grpc grpc = new Grpc(d.socket)) {
                NamespacesGrpc.newBlockingStub(grpc.channel).list(ListNamespacesRequest.getDefaultInstance());
                containerd.services.version.v1.VersionGrpc.newBlockingStub(grpc.channel)
                        .version(com.google.protobuf.Empty.getDefaultInstance());
                io.grpc.health.v1.HealthGrpc.newBlockingStub(grpc.channel)
                        .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance());
            }
        }
    }

    @Test
    public void secondDaemonOnTheSameSocketRefuses() throws Exception {
        try (Daemon d = Daemon.create("").start()) {
            Process second = d.launch();
            assertTrue("second daemon should exit", second.waitFor(30, TimeUnit.SECONDS));
            assertEquals(1, second.exitValue());
            assertTrue(d.logText(), d.logText().contains("is already serving on " + d.socket + ": refusing to start"));
            assertEquals("the first daemon keeps serving", 0, d.ctr("version").rc());
        }
    }

    /**
     * {@code required_plugins} as containerd treats it: a required plugin that did not load, or one that
     * is not there (disabled or unknown), keeps the daemon from serving and ends it with exit code 1 and
     * containerd's words (seen from containerd 1.6.20 with the same settings).
     */
    @Test
    public void requiredPluginsThatAreNotLoadedEndTheDaemonAsContainerd() throws Exception {
        try (Daemon d = Daemon.create("required_plugins = [\"io.containerd.service.v1.containers-service\"]\n"
                + "disabled_plugins = [\"io.containerd.metadata.v1.bolt\"]")) {
            assertExitsWith(d, "load required plugin io.containerd.service.v1.containers-service: "
                    + "no plugins registered for io.containerd.metadata.v1: not found");
        }
        try (Daemon d = Daemon.create("required_plugins = [\"io.containerd.grpc.v1.version\", \"io.containerd.nope.v1.x\"]\n"
                + "disabled_plugins = [\"io.containerd.grpc.v1.version\"]")) {
            assertExitsWith(d, "required plugin [io.containerd.grpc.v1.version io.containerd.nope.v1.x] not included");
        }
        try (Daemon d = Daemon.create("required_plugins = [\"io.containerd.grpc.v1.tasks\", "
                + "\"io.containerd.internal.v1.restart\"]").start()) {
            assertEquals("required plugins that loaded: the daemon serves", 0, d.ctr("version").rc());
        }
    }

    /** Launches {@code d}, which must exit 1 with {@code reason} as its fatal message, never having served. */
    static void assertExitsWith(Daemon d, String reason) throws Exception {
        Process p = d.launch();
        assertTrue("the daemon should exit", p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(d.logText(), 1, p.exitValue());
        assertTrue(d.logText(), d.logText().contains("level=fatal msg=\"jcontainerd: " + reason + "\""));
        assertFalse("never served", d.logText().contains("serving..."));
        assertFalse("socket removed", Files.exists(d.socket));
    }

    /** containerd's {@code [cgroup] path}: the daemon moves itself into that cgroup of every v1 hierarchy. */
    @Test
    public void cgroupPathTakesTheDaemonIntoThatCgroup() throws Exception {
        String path = "/jcd-itest-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        List<Path> made = new java.util.ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/sys/fs/cgroup"))) {
            s.filter(h -> !h.getFileName().toString().equals("unified"))
                    .map(h -> h.resolve(path.substring(1))).forEach(made::add);
        }
        try (Daemon d = Daemon.create("[cgroup]\n  path = \"" + path + "\"").start()) {
            List<String> cgroups = Files.readAllLines(Path.of("/proc/" + d.process().pid() + "/cgroup"));
            for (String controller : List.of("memory", "pids", "cpu", "cpuset", "name=systemd")) {
                assertTrue(cgroups.toString(), cgroups.stream().anyMatch(l -> l.matches("\\d+:([\\w,]*,)?"
                        + java.util.regex.Pattern.quote(controller) + "(,[\\w,]*)?:" + path)));
            }
            assertEquals(0, d.ctr("version").rc());
        } finally {
            for (Path dir : made) {
                Files.deleteIfExists(dir); // rmdir of a cgroup the daemon, now gone, left
            }
        }
        for (Path dir : made) {
            assertFalse(dir.toString(), Files.exists(dir));
        }
    }

    /** containerd's {@code oom_score}: the daemon's own OOM score adjustment. */
    @Test
    public void oomScoreIsTheDaemonsOomScoreAdjustment() throws Exception {
        try (Daemon d = Daemon.create("oom_score = 500").start()) {
            assertEquals("500", Files.readString(Path.of("/proc/" + d.process().pid() + "/oom_score_adj")).strip());
        }
    }

    @Test
    public void sigtermStopsCleanlyAndTheDataStays() throws Exception {
        try (Daemon d = Daemon.create("").start()) {
            assertEquals(0, d.ctr("namespaces", "create", "kept").rc());
            assertEquals(0, d.terminate());
            assertFalse("socket removed", Files.exists(d.socket));
            assertFalse("lock removed", Files.exists(d.socket.resolveSibling("jcontainerd.sock.lock")));
            assertTrue(d.logText(), d.logText().contains("msg=\"jcontainerd stopped\""));
            d.start();
            assertTrue(d.ctr("namespaces", "ls", "-q").out().lines().anyMatch("kept"::equals));
        }
    }

    /**
     * The daemon writes only below root, state and the socket's directory (here all inside d.dir):
     * nothing in its TMPDIR, no JVM perf data or extracted native libraries in /tmp.
     */
    @Test
    public void writesNothingOutsideItsDirectories() throws Exception {
        Path tmpdir = Files.createTempDirectory("jcd-tmpdir-");
        try (Daemon d = Daemon.create("")) {
            long before = System.currentTimeMillis() - 1000;
            d.env("TMPDIR=" + tmpdir).start();
            long pid = d.process().pid();
            assertEquals(0, d.ctr("namespaces", "create", "w1").rc());
            // the JVM keeps this file only while it runs
            assertFalse("JVM perf data in /tmp", Files.exists(Path.of("/tmp/hsperfdata_root/" + pid)));
            d.terminate();
            try (Stream<Path> s = Files.list(tmpdir)) {
                assertEquals("files in the daemon's TMPDIR", List.of(), s.toList());
            }
            try (Stream<Path> s = Files.list(Path.of("/tmp"))) {
                List<Path> natives = s.filter(p -> p.toFile().lastModified() > before)
                        .filter(p -> p.getFileName().toString().matches(".*(netty|jna|lmdb|jffi|\\.so$).*"))
                        .toList();
                assertEquals("native libraries extracted to /tmp", List.of(), natives);
            }
            Set<String> top;
            try (Stream<Path> s = Files.list(d.dir)) {
                top = s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            }
            assertEquals(Set.of("config.toml", "daemon.log", "root", "state", "run"), top);
        } finally {
            Processes.deleteTree(tmpdir);
        }
    }
}
