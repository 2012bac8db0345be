package io.jcontainerd.snapshots.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.leases.Resource;
import io.jcontainerd.metadata.bolt.BoltMetadataStore;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.snapshots.Kind;
import io.jcontainerd.snapshots.SnapshotInfo;
import io.jcontainerd.snapshots.nativecopy.NativeSnapshotter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The namespaced service over the real metadata store and the real native snapshotter. */
class LocalSnapshotsTest {
    @TempDir
    Path dir;
    BoltMetadataStore db;
    NativeSnapshotter nat;
    Backends backends;
    LocalSnapshots ss;
    final List<String> events = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        db = BoltMetadataStore.open(dir.resolve("meta"));
        nat = new NativeSnapshotter(dir.resolve("native"));
        backends = new Backends();
        backends.add("native", nat);
        ss = new LocalSnapshots(db, (ns, topic, ev) -> events.add(ns + " " + topic), backends);
    }

    @AfterEach
    void close() {
        backends.close();
        nat.close();
        db.close();
    }

    static ContainerdException fails(ErrorCode code, Runnable r) {
        ContainerdException e = assertThrows(ContainerdException.class, r::run);
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    List<String> backendKeys() {
        List<String> keys = new ArrayList<>();
        nat.walk(i -> keys.add(i.name()));
        return keys;
    }

    @Test
    void namesAreNamespacedOverUniqueBackendKeys() throws Exception {
        List<Mount> m = ss.prepare("a", null, "native", "k0", "", Map.of("containerd.io/gc.root", "t"));
        Files.writeString(Path.of(m.get(0).source()).resolve("f"), "x");
        ss.commit("a", null, "native", "c0", "k0", Map.of());
        ss.prepare("b", null, "native", "k0", "", Map.of());
        assertEquals(List.of("a/2/c0", "b/1/k0"), backendKeys().stream().sorted().toList());

        SnapshotInfo c0 = ss.stat("a", "native", "c0");
        assertEquals(Kind.COMMITTED, c0.kind());
        assertEquals("c0", c0.name());
        assertEquals("parent snapshot c0 does not exist: not found",
                fails(ErrorCode.NOT_FOUND, () -> ss.prepare("b", null, "native", "k1", "c0", Map.of())).getMessage());
        assertEquals("snapshot c0 does not exist: not found",
                fails(ErrorCode.NOT_FOUND, () -> ss.stat("b", "native", "c0")).getMessage());
        assertEquals("snapshot \"k0\": already exists",
                fails(ErrorCode.ALREADY_EXISTS, () -> ss.prepare("b", null, "native", "k0", "", Map.of())).getMessage());
        assertEquals(List.of("a /snapshot/prepare", "a /snapshot/commit", "b /snapshot/prepare"), events);
    }

    @Test
    void removeRefusesParentsAndCollectsBackends() throws Exception {
        ss.prepare("a", null, "native", "k0", "", Map.of());
        ss.commit("a", null, "native", "c0", "k0", Map.of());
        ss.prepare("a", null, "native", "k1", "c0", Map.of());
        ss.view("a", null, "native", "v1", "c0", Map.of());
        assertEquals("cannot remove snapshot with child: failed precondition",
                fails(ErrorCode.FAILED_PRECONDITION, () -> ss.remove("a", "native", "c0")).getMessage());
        ss.remove("a", "native", "k1");
        ss.remove("a", "native", "v1");
        ss.remove("a", "native", "c0");
        assertEquals("snapshot c0 does not exist: not found",
                fails(ErrorCode.NOT_FOUND, () -> ss.remove("a", "native", "c0")).getMessage());
        ss.garbageCollect("native");
        assertEquals(List.of(), backendKeys());
        try (var s = Files.list(dir.resolve("native/snapshots"))) {
            assertEquals(0, s.count());
        }
        assertTrue(events.contains("a /snapshot/remove"));
    }

    @Test
    void leasesHoldCreatedSnapshots() {
        db.update(tx -> tx.leases().create("a", "l1", Map.of()));
        ss.prepare("a", "l1", "native", "k0", "", Map.of());
        ss.commit("a", "l1", "native", "c0", "k0", Map.of());
        ss.view("a", "l1", "native", "v0", "c0", Map.of());
        assertEquals(List.of(new Resource("c0", "snapshots/native"), new Resource("v0", "snapshots/native")),
                db.view(tx -> tx.leases().listResources("a", "l1")));
        assertEquals("lease does not exist: not found",
                fails(ErrorCode.NOT_FOUND, () -> ss.prepare("a", "nope", "native", "k9", "", Map.of())).getMessage());
        assertFalse(backendKeys().contains("a/4/k9"), "the backend snapshot of a failed prepare is removed");
    }

    @Test
    void updateListFiltersAndErrors() {
        ss.prepare("a", null, "native", "k0", "", Map.of("x", "1", "containerd.io/snapshot/keep", "y"));
        ss.view("a", null, "native", "v0", "", Map.of());
        SnapshotInfo u = ss.update("a", "native", new SnapshotInfo("k0", "", Kind.UNKNOWN, Map.of("z", "2"), null, null),
                List.of("labels.z", "labels.x"));
        assertEquals(Map.of("z", "2", "containerd.io/snapshot/keep", "y"), u.labels());
        assertEquals(Kind.ACTIVE, u.kind());
        assertEquals(List.of("k0"), ss.list("a", "native", Filters.parseRequest(List.of("labels.z==2")))
                .stream().map(SnapshotInfo::name).toList());
        assertEquals(List.of("v0"), ss.list("a", "native", Filters.parseRequest(List.of("kind==view")))
                .stream().map(SnapshotInfo::name).toList());
        assertEquals(List.of("k0", "v0"), ss.list("a", "native", Filters.parseRequest(List.of("parent==\"\"")))
                .stream().map(SnapshotInfo::name).toList());
        assertEquals(List.of(), ss.list("b", "native", null));
        assertEquals("snapshotter not loaded: zfs: invalid argument",
                fails(ErrorCode.INVALID_ARGUMENT, () -> ss.stat("a", "zfs", "k0")).getMessage());
        assertEquals("snapshotter argument missing: invalid argument",
                fails(ErrorCode.INVALID_ARGUMENT, () -> ss.stat("a", "", "k0")).getMessage());
        assertTrue(fails(ErrorCode.INVALID_ARGUMENT, () -> ss.prepare("a", null, "native", "big", "",
                Map.of("k", "v".repeat(5000)))).getMessage().startsWith("info.Labels: label key and value greater"));
    }
}
