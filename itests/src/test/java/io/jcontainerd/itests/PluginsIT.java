package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import containerd.services.version.v1.VersionGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/** Version, introspection and health through the real ctr and a gRPC client. */
public class PluginsIT {
    private static Daemon ours;

    @BeforeClass
    public static void start() throws Exception {
        ours = Daemon.create("").start();
    }

    @AfterClass
    public static void stop() throws Exception {
        if (ours != null) {
            ours.close();
        }
    }

    @Test
    public void versionShowsServerVersionRevisionAndAPersistentUuid() throws Exception {
        Processes.Result v = ours.ctr("version");
        assertEquals(v.toString(), 0, v.rc());
        Matcher m = Pattern.compile("Server:\\n  Version:  (\\S+)\\n  Revision: (\\S+)\\n  UUID: (\\S+)\\n").matcher(v.out());
        assertTrue(v.out(), m.find());
        assertEquals("0.1.0-SNAPSHOT", m.group(1));
        assertTrue("revision is the git commit: " + m.group(2), m.group(2).matches("[0-9a-f]{40}(\\.m)?"));
        String uuid = m.group(3);
        assertEquals(uuid, Files.readString(ours.root.resolve("io.containerd.grpc.v1.introspection/uuid")).strip());
        assertTrue(ours.ctr("version").out().contains("UUID: " + uuid + "\n"));
    }

    @Test
    public void pluginsAreListedOk() throws Exception {
        Processes.Result ls = ours.ctr("plugins", "ls");
        assertEquals(ls.toString(), 0, ls.rc());
        List<String> rows = ls.out().lines().map(String::strip).toList();
        assertTrue(rows.get(0), rows.get(0).matches("TYPE\\s+ID\\s+PLATFORMS\\s+STATUS"));
        for (String plugin : List.of(
                "io.containerd.metadata.v1 bolt",
                "io.containerd.event.v1 exchange",
                "io.containerd.service.v1 namespaces-service",
                "io.containerd.service.v1 introspection-service",
                "io.containerd.service.v1 containers-service",
                "io.containerd.service.v1 leases-service",
                "io.containerd.service.v1 images-service",
                "io.containerd.gc.v1 scheduler",
                "io.containerd.content.v1 content",
                "io.containerd.service.v1 content-service",
                "io.containerd.grpc.v1 content",
                "io.containerd.grpc.v1 containers",
                "io.containerd.grpc.v1 events",
                "io.containerd.grpc.v1 leases",
                "io.containerd.grpc.v1 images",
                "io.containerd.grpc.v1 namespaces",
                "io.containerd.grpc.v1 introspection",
                "io.containerd.grpc.v1 version",
                "io.containerd.grpc.v1 healthcheck",
                "io.containerd.snapshotter.v1 overlayfs",
                "io.containerd.snapshotter.v1 native",
                "io.containerd.service.v1 snapshots-service",
                "io.containerd.grpc.v1 snapshots",
                "io.containerd.differ.v1 walking",
                "io.containerd.service.v1 diff-service",
                "io.containerd.grpc.v1 diff",
                "io.containerd.runtime.v2 task",
                "io.containerd.service.v1 tasks-service",
                "io.containerd.grpc.v1 tasks",
                "io.containerd.internal.v1 restart",
                "io.containerd.monitor.v1 cgroups")) {
            String[] typeId = plugin.split(" ");
            assertTrue(plugin + " ok in\n" + ls.out(), rows.stream().anyMatch(r ->
                    r.matches(Pattern.quote(typeId[0]) + "\\s+" + Pattern.quote(typeId[1]) + "\\s+"
                            + (typeId[0].matches("io.containerd.((snapshotter|differ|monitor).v1|runtime.v2)") ? "linux/\\w+" : "-") + "\\s+ok")));
        }
    }

    @Test
    public void requirementsAreListedBeforeThePluginsThatNeedThem() throws Exception {
        Processes.Result d = ours.ctr("plugins", "ls", "-d");
        assertEquals(d.toString(), 0, d.rc());
        // the detailed list: "Type: T", "ID: I", then "Requires:" and one indented type per line
        List<String> types = new java.util.ArrayList<>();
        List<List<String>> requires = new java.util.ArrayList<>();
        boolean inRequires = false;
        for (String line : d.out().lines().toList()) {
            Matcher type = Pattern.compile("^Type:\\s+(\\S+)$").matcher(line);
            if (type.matches()) {
                types.add(type.group(1));
                requires.add(new java.util.ArrayList<>());
                inRequires = false;
            } else if (line.matches("^Requires:\\s*$")) {
                inRequires = true;
            } else if (inRequires && line.matches("^\\s+io\\.containerd\\.\\S+$")) {
                requires.get(requires.size() - 1).add(line.strip());
            } else {
                inRequires = false;
            }
        }
        assertTrue(d.out(), types.size() >= 31);
        assertTrue("some plugins have requirements\n" + d.out(), requires.stream().anyMatch(r -> !r.isEmpty()));
        // a requirement may only follow its plugin when the types require each other (our walking differ
        // needs the content service and the diff service needs a differ): then one of them must come first
        java.util.Map<String, java.util.Set<String>> edges = new java.util.HashMap<>();
        for (int i = 0; i < types.size(); i++) {
            edges.computeIfAbsent(types.get(i), k -> new java.util.HashSet<>()).addAll(requires.get(i));
        }
        for (int i = 0; i < types.size(); i++) {
            for (String t : requires.get(i)) {
                if (!t.equals(types.get(i)) && !reaches(edges, t, types.get(i))) {
                    assertFalse("plugin " + i + " (" + types.get(i) + ") requires " + t
                            + ", listed after it\n" + d.out(), types.subList(i + 1, types.size()).contains(t));
                }
            }
        }
        // the same order at each call
        assertEquals(d.out(), ours.ctr("plugins", "ls", "-d").out());
    }

    private static boolean reaches(java.util.Map<String, java.util.Set<String>> edges, String from, String to) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (t.equals(to)) {
                return true;
            }
            if (seen.add(t)) {
                todo.addAll(edges.getOrDefault(t, java.util.Set.of()));
            }
        }
        return false;
    }

    @Test
    public void detailedListShowsRequirements() throws Exception {
        Processes.Result d = ours.ctr("plugins", "ls", "-d", "id==namespaces-service");
        assertEquals(d.toString(), 0, d.rc());
        assertTrue(d.out(), d.out().matches("(?s)Type:\\s+io.containerd.service.v1\\nID:\\s+namespaces-service\\n"
                + "Requires:\\s*\\n\\s+io.containerd.event.v1\\n\\s+io.containerd.metadata.v1\\n.*"));
        // the tasks service lists the task monitor among its requirements, as containerd's does
        Processes.Result tasks = ours.ctr("plugins", "ls", "-d", "id==tasks-service");
        assertTrue(tasks.out(), tasks.out().matches("(?s).*Requires:\\s*\\n(\\s+io\\.containerd\\.[a-z0-9.]+\\n)*"
                + "\\s+io\\.containerd\\.monitor\\.v1\\n.*"));
        Processes.Result grpc = ours.ctr("plugins", "ls", "-d", "type==io.containerd.grpc.v1,id==namespaces");
        assertTrue(grpc.out(), grpc.out().contains("Requires:") && grpc.out().contains("io.containerd.service.v1"));
    }

    @Test
    public void filtersSelectAndBadFiltersFailLikeContainerd() throws Exception {
        Processes.Result grpcOnly = ours.ctr("plugins", "ls", "type==io.containerd.grpc.v1");
        List<String> rows = grpcOnly.out().lines().skip(1).toList();
        long grpcInFullList = ours.ctr("plugins", "ls").out().lines()
                .filter(r -> r.startsWith("io.containerd.grpc.v1 ")).count();
        assertTrue(grpcOnly.out(), grpcInFullList >= 12);
        assertEquals(grpcOnly.out(), grpcInFullList, rows.size());
        assertTrue(rows.stream().allMatch(r -> r.startsWith("io.containerd.grpc.v1 ")));
        Processes.Result either = ours.ctr("plugins", "ls", "-q", "id==bolt", "id==version");
        assertEquals(List.of("bolt", "version"), either.out().lines().toList());

        try (Containerd reference = Containerd.start()) {
            for (String bad : List.of("badfilter==", "type==/x", "labels.|x|==y")) {
                assertEquals(bad, reference.ctr("plugins", "ls", bad), ours.ctr("plugins", "ls", bad));
            }
        }
    }

    @Test
    public void socketIsMode0660InAnOpenDirectory() throws Exception {
        assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(ours.socket)));
        assertEquals("rwx--x--x", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(ours.socket.getParent())));
    }

    @Test
    public void healthIsServing() throws Exception {
        try (Grpc grpc = new Grpc(ours.socket)) {
            HealthCheckResponse r = HealthGrpc.newBlockingStub(grpc.channel).check(HealthCheckRequest.getDefaultInstance());
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
        }
    }

    @Test
    public void disabledPluginIsNeitherListedNorServed() throws Exception {
        try (Daemon d = Daemon.create("disabled_plugins = [\"io.containerd.grpc.v1.version\"]").start();
                Grpc grpc = new Grpc(d.socket)) {
            Processes.Result ls = d.ctr("plugins", "ls");
            assertFalse(ls.out(), ls.out().contains(" version "));
            assertTrue(ls.out(), ls.out().contains(" introspection "));
            try {
                VersionGrpc.newBlockingStub(grpc.channel).version(com.google.protobuf.Empty.getDefaultInstance());
                throw new AssertionError("Version answered although disabled");
            } catch (StatusRuntimeException e) {
                assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
                // grpc-go's words, which containerd's clients see
                assertEquals("unknown service containerd.services.version.v1.Version", e.getStatus().getDescription());
            }
        }
    }
}
