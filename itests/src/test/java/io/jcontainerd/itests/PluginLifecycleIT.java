package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import containerd.services.namespaces.v1.ListNamespacesRequest;
import containerd.services.namespaces.v1.NamespacesGrpc;
import containerd.services.version.v1.VersionGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.introspection.IntrospectionService;
import io.jcontainerd.introspection.PluginInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * The distribution's core feature booted in Felix by pax-exam: plugins come and go with their
 * bundles, introspection follows live, and the gRPC whiteboard serves only what is there.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class PluginLifecycleIT {
    @Inject
    private BundleContext ctx;

    @Configuration
    public Option[] config() throws IOException {
        Path dist = Daemon.DIST;
        Path dir = Files.createTempDirectory("jcd-paxexam-");
        // the framework runs in this JVM; its directory goes when the JVM does
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Processes.deleteTree(dir);
            } catch (IOException e) {
                System.err.println("could not remove " + dir + ": " + e);
            }
        }));
        List<Option> options = new ArrayList<>();
        JsonNode feature = new ObjectMapper().readTree(dist.resolve("features/core.json").toFile());
        int maxOrder = 1;
        for (JsonNode b : feature.path("bundles")) {
            String[] gav = b.path("id").asText().split(":");
            int order = b.path("start-order").asInt(1);
            maxOrder = Math.max(maxOrder, order);
            Path jar = dist.resolve("bundle").resolve(gav[1] + "-" + gav[2] + ".jar");
            options.add(bundle("reference:" + jar.toUri()).startLevel(order));
        }
        options.add(frameworkStartLevel(maxOrder + 2));
        options.add(frameworkProperty("jcontainerd.root").value(dir.resolve("root").toString()));
        options.add(frameworkProperty("jcontainerd.state").value(dir.resolve("state").toString()));
        options.add(frameworkProperty("jcontainerd.grpc.address").value(dir.resolve("j.sock").toString()));
        options.add(systemProperty("io.grpc.netty.shaded.io.netty.native.workdir").value(dir.toString()));
        options.add(systemProperty("jna.tmpdir").value(dir.toString()));
        options.add(systemProperty("jcd.test.socket").value(dir.resolve("j.sock").toString()));
        try (TestImages.Image img = TestImages.busybox(RunIT.IMAGE)) {
            options.add(systemProperty("jcd.test.image").value(img.writeOciArchive(dir.resolve("busybox.tar")).toString()));
        }
        options.add(junitBundles());
        options.add(cleanCaches());
        return options.toArray(Option[]::new);
    }

    private Path socket() {
        return Path.of(System.getProperty("jcd.test.socket"));
    }

    private IntrospectionService introspection() {
        ServiceReference<IntrospectionService> ref = ctx.getServiceReference(IntrospectionService.class);
        assertNotNull("introspection service", ref);
        return ctx.getService(ref);
    }

    private Map<String, PluginInfo> plugins() {
        return introspection().plugins(List.of()).stream().collect(Collectors.toMap(PluginInfo::uri, p -> p));
    }

    private boolean introspectionUp() {
        return ctx.getServiceReference(IntrospectionService.class) != null;
    }

    private Bundle bundleNamed(String symbolicName) {
        for (Bundle b : ctx.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private boolean allOk() {
        if (!introspectionUp()) {
            return false;
        }
        Map<String, PluginInfo> p = plugins();
        return p.size() == 31 && p.values().stream().allMatch(i -> i.initError() == null);
    }

    @Test
    public void theCoreFeatureLoadsEveryPluginAndServesIt() throws Exception {
        await("all plugins ok", this::allOk);
        await("socket", () -> Processes.isLive(socket()));
        try (Grpc grpc = new Grpc(socket())) {
            assertEquals("0.1.0-SNAPSHOT", VersionGrpc.newBlockingStub(grpc.channel)
                    .version(com.google.protobuf.Empty.getDefaultInstance()).getVersion());
            NamespacesGrpc.newBlockingStub(grpc.channel).list(ListNamespacesRequest.getDefaultInstance());
        }
        assertEquals(List.of("io.containerd.event.v1", "io.containerd.metadata.v1"),
                plugins().get("io.containerd.service.v1.namespaces-service").requires());
    }

    @Test
    public void stoppingTheMetadataBundleTakesItsDependentsDownAndStartingItHealsThem() throws Exception {
        await("all plugins ok", this::allOk);
        await("socket", () -> Processes.isLive(socket()));
        Bundle metadata = bundleNamed("io.jcontainerd.metadata");

        metadata.stop();
        await("dependents unsatisfied", () -> {
            Map<String, PluginInfo> p = plugins();
            return !p.containsKey("io.containerd.metadata.v1.bolt")
                    && p.get("io.containerd.service.v1.namespaces-service").initError() != null
                    && p.get("io.containerd.grpc.v1.namespaces").initError() != null;
        });
        Map<String, PluginInfo> down = plugins();
        assertEquals("no plugins registered for io.containerd.metadata.v1: not found",
                down.get("io.containerd.service.v1.namespaces-service").initError().message());
        assertEquals("no plugins registered for io.containerd.service.v1.namespaces-service: not found",
                down.get("io.containerd.grpc.v1.namespaces").initError().message());
        assertTrue("unrelated plugins stay ok", down.get("io.containerd.grpc.v1.version").initError() == null);
        try (Grpc grpc = new Grpc(socket())) {
            StatusRuntimeException e = NamespacesIT.expectFailure(() ->
                    NamespacesGrpc.newBlockingStub(grpc.channel).list(ListNamespacesRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
            assertEquals("unknown service containerd.services.namespaces.v1.Namespaces", e.getStatus().getDescription());
            // the rest keeps being served
            VersionGrpc.newBlockingStub(grpc.channel).version(com.google.protobuf.Empty.getDefaultInstance());
        }

        metadata.start();
        await("all plugins ok again", this::allOk);
        try (Grpc grpc = new Grpc(socket())) {
            NamespacesGrpc.newBlockingStub(grpc.channel).list(ListNamespacesRequest.getDefaultInstance());
        }
    }

    @Test
    public void aPluginBundleInstalledAtRuntimeIsServed() throws Exception {
        await("all plugins ok", this::allOk);
        Bundle version = bundleNamed("io.jcontainerd.version.grpc");
        String location = version.getLocation();
        version.uninstall();
        await("version gone", () -> !plugins().containsKey("io.containerd.grpc.v1.version"));
        try (Grpc grpc = new Grpc(socket())) {
            StatusRuntimeException e = NamespacesIT.expectFailure(() ->
                    VersionGrpc.newBlockingStub(grpc.channel).version(com.google.protobuf.Empty.getDefaultInstance()));
            assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        }
        Bundle reinstalled = ctx.installBundle(location);
        reinstalled.adapt(BundleStartLevel.class).setStartLevel(3);
        reinstalled.start();
        await("version back", () -> plugins().containsKey("io.containerd.grpc.v1.version") && allOk());
        try (Grpc grpc = new Grpc(socket())) {
            VersionGrpc.newBlockingStub(grpc.channel).version(com.google.protobuf.Empty.getDefaultInstance());
        }
    }

    /**
     * The runtime bundle stopped and started in Felix: shims outlive it, the tasks service is
     * unavailable meanwhile, and on start the tasks are found again — the running one with its pid,
     * the one that ended meanwhile as stopped, its {@code /tasks/exit} having reached subscribers
     * through the ttrpc endpoint, which stayed up.
     */
    @Test
    public void stoppingTheRuntimeBundleLeavesTasksRunningAndStartingItFindsThemAgain() throws Exception {
        await("all plugins ok", this::allOk);
        await("socket", () -> Processes.isLive(socket()));
        Path events = Files.createTempFile("jcd-events", ".txt");
        Path fifos = Path.of("/run/containerd/fifo");
        java.util.Set<Path> fifosBefore = Processes.entries(fifos);
        java.util.Set<Path> cgroupsBefore = Processes.cgroupsNamed("rt");
        Process subscriber = null;
        Bundle runtime = bundleNamed("io.jcontainerd.runtime.v2");
        try {
            assertOk(ctr("images", "import", System.getProperty("jcd.test.image")));
            assertOk(ctr("run", "-d", RunIT.IMAGE, "r1", "sleep", "1000"));
            assertOk(ctr("run", "-d", RunIT.IMAGE, "r2", "sleep", "1000"));
            long running = pidOf("r1", "RUNNING");
            long ending = pidOf("r2", "RUNNING");
            subscriber = new ProcessBuilder("ctr", "--address", socket().toString(), "-n", "rt", "events")
                    .redirectOutput(events.toFile()).redirectErrorStream(true).start();
            Thread.sleep(500); // subscribed

            runtime.stop();
            await("runtime gone, tasks unavailable", () -> !plugins().containsKey("io.containerd.runtime.v2.task")
                    && plugins().get("io.containerd.service.v1.tasks-service").initError() != null);
            Processes.Result down = ctr("tasks", "ls");
            assertEquals(down.toString(), 1, down.rc());
            assertTrue(down.err(), down.err().contains("unknown service containerd.services.tasks.v1.Tasks"));
            assertTrue("the shims and their tasks live on", ProcessHandle.of(running).isPresent()
                    && ProcessHandle.of(ending).isPresent());
            ProcessHandle task = ProcessHandle.of(ending).orElseThrow();
            new ProcessBuilder("kill", "-9", Long.toString(ending)).start().waitFor();
            task.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);

            runtime.start();
            await("runtime back", this::allOk);
            await("tasks found again", () -> {
                String ls = ctrQuietly("tasks", "ls");
                return ls.matches("(?s).*r1\\s+" + running + "\\s+RUNNING.*")
                        && ls.matches("(?s).*r2\\s+" + ending + "\\s+STOPPED.*");
            });
            String exit = "/tasks/exit {\"container_id\":\"r2\",\"id\":\"r2\",\"pid\":" + ending + ",\"exit_status\":137,";
            await("exit published", () -> readQuietly(events).contains(exit));
            Processes.Result exec = ctr("tasks", "exec", "--exec-id", "e1", "r1", "echo", "hi");
            assertEquals(exec.toString(), "hi\n", exec.out());
            Processes.Result deleted = ctr("tasks", "delete", "r2");
            assertOk(deleted);
            assertTrue(deleted.err(), deleted.err().contains("task r2 exit with non-zero exit code 137"));
        } finally {
            if (runtime.getState() != Bundle.ACTIVE) {
                runtime.start();
                await("runtime back", this::allOk);
            }
            for (String id : List.of("r1", "r2")) {
                ctr("tasks", "kill", "-s", "9", id);
                await("task " + id + " ended", () -> !ctrQuietly("tasks", "ls").matches("(?s).*" + id + "\\s+\\d+\\s+RUNNING.*"));
                ctr("tasks", "delete", id);
                ctr("containers", "rm", id);
            }
            if (subscriber != null) {
                subscriber.destroyForcibly().waitFor();
            }
            Files.delete(events);
            Processes.removeEmptyAdded(fifos, fifosBefore); // ctr's FIFO directories of the detached tasks
            Processes.removeAddedCgroups("rt", cgroupsBefore);
        }
        assertEquals("", ctr("tasks", "ls", "-q").out());
    }

    private Processes.Result ctr(String... args) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of("-n", "rt"));
        a.addAll(List.of(args));
        return Processes.ctr(socket(), a.toArray(String[]::new));
    }

    private String ctrQuietly(String... args) {
        try {
            return ctr(args).out();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static void assertOk(Processes.Result r) {
        assertEquals(r.toString(), 0, r.rc());
    }

    private long pidOf(String id, String status) throws IOException, InterruptedException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(id + "\\s+(\\d+)\\s+" + status)
                .matcher(ctr("tasks", "ls").out());
        assertTrue(id + " " + status, m.find());
        return Long.parseLong(m.group(1));
    }
}
