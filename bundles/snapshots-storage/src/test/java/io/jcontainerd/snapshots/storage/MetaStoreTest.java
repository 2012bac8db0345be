package io.jcontainerd.snapshots.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.snapshots.Kind;
import io.jcontainerd.snapshots.SnapshotInfo;
import io.jcontainerd.snapshots.Usage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetaStoreTest {
    @TempDir
    Path dir;
    MetaStore ms;

    @BeforeEach
    void open() {
        ms = MetaStore.open(dir.resolve(MetaStore.FILE));
    }

    @AfterEach
    void close() {
        ms.close();
    }

    static ContainerdException fails(ErrorCode code, Runnable r) {
        ContainerdException e = assertThrows(ContainerdException.class, r::run);
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    @Test
    void chainOfCommittedSnapshotsNearestFirst() {
        StoredSnapshot a = ms.update(tx -> tx.createSnapshot(Kind.ACTIVE, "a", "", Map.of("x", "1")));
        assertEquals("1", a.id());
        assertEquals(List.of(), a.parentIds());
        ms.update(tx -> tx.commitActive("a", "A", new Usage(10, 2), Map.of("c", "1")));
        ms.update(tx -> tx.createSnapshot(Kind.ACTIVE, "b", "A", null));
        ms.update(tx -> tx.commitActive("b", "B", new Usage(5, 1), null));
        StoredSnapshot v = ms.update(tx -> tx.createSnapshot(Kind.VIEW, "v", "B", null));
        assertEquals(List.of("2", "1"), v.parentIds());
        assertEquals(v, ms.view(tx -> tx.getSnapshot("v")));

        MetaTx.Entry committed = ms.view(tx -> tx.getInfo("A"));
        assertEquals("1", committed.id());
        assertEquals(Kind.COMMITTED, committed.info().kind());
        assertEquals(Map.of("c", "1"), committed.info().labels());
        assertEquals(new Usage(10, 2), committed.usage());
        assertEquals("A", ms.view(tx -> tx.getInfo("B")).info().parent());
        assertEquals(Map.of("1", "A", "2", "B", "3", "v"), ms.view(MetaTx::idMap));
    }

    @Test
    void containerdRulesAndMessages() {
        ms.update(tx -> tx.createSnapshot(Kind.ACTIVE, "a", "", null));
        assertEquals("snapshot a: already exists",
                fails(ErrorCode.ALREADY_EXISTS, () -> ms.update(tx -> tx.createSnapshot(Kind.ACTIVE, "a", "", null))).getMessage());
        assertEquals("missing parent \"p\" bucket: not found",
                fails(ErrorCode.NOT_FOUND, () -> ms.update(tx -> tx.createSnapshot(Kind.ACTIVE, "b", "p", null))).getMessage());
        assertEquals("parent \"a\" is not committed snapshot: invalid argument",
                fails(ErrorCode.INVALID_ARGUMENT, () -> ms.update(tx -> tx.createSnapshot(Kind.ACTIVE, "b", "a", null))).getMessage());
        ms.update(tx -> tx.commitActive("a", "A", new Usage(0, 0), null));
        assertEquals("snapshot \"A\" is not active: failed precondition", fails(ErrorCode.FAILED_PRECONDITION,
                () -> ms.update(tx -> tx.commitActive("A", "A2", new Usage(0, 0), null))).getMessage());
        assertEquals("requested snapshot A not active or view: failed precondition",
                fails(ErrorCode.FAILED_PRECONDITION, () -> ms.view(tx -> tx.getSnapshot("A"))).getMessage());
        ms.update(tx -> tx.createSnapshot(Kind.ACTIVE, "c", "A", null));
        assertEquals("cannot remove snapshot with child: failed precondition",
                fails(ErrorCode.FAILED_PRECONDITION, () -> ms.update(tx -> tx.remove("A"))).getMessage());
        assertEquals(new MetaTx.Removed("2", Kind.ACTIVE), ms.update(tx -> tx.remove("c")));
        assertEquals(new MetaTx.Removed("1", Kind.COMMITTED), ms.update(tx -> tx.remove("A")));
        assertEquals("snapshot does not exist: not found",
                fails(ErrorCode.NOT_FOUND, () -> ms.view(tx -> tx.getInfo("A"))).getMessage());
    }

    @Test
    void aFailedTransactionLeavesNothingAndIdsAreNotReused() {
        assertThrows(IllegalStateException.class, () -> ms.update(tx -> {
            tx.createSnapshot(Kind.ACTIVE, "a", "", null);
            throw new IllegalStateException("boom");
        }));
        assertEquals(Map.of(), ms.view(MetaTx::idMap));
        assertEquals("1", ms.update(tx -> tx.createSnapshot(Kind.ACTIVE, "a", "", null)).id());
        ms.update(tx -> tx.remove("a"));
        assertEquals("2", ms.update(tx -> tx.createSnapshot(Kind.ACTIVE, "a", "", null)).id());
    }

    @Test
    void recordsSurviveReopening() {
        ms.update(tx -> tx.createSnapshot(Kind.ACTIVE, "a", "", Map.of("l", "v")));
        ms.update(tx -> tx.commitActive("a", "A", new Usage(4096, 1), null));
        ms.close();
        ms = MetaStore.open(dir.resolve(MetaStore.FILE));
        assertEquals(new Usage(4096, 1), ms.view(tx -> tx.getInfo("A")).usage());
        assertEquals("2", ms.update(tx -> tx.createSnapshot(Kind.VIEW, "v", "A", null)).id());
    }

    @Test
    void updateLabelsAndWalkWithFilters() {
        ms.update(tx -> tx.createSnapshot(Kind.ACTIVE, "a", "", Map.of("x", "1", "y", "2")));
        ms.update(tx -> tx.createSnapshot(Kind.VIEW, "b", "", null));
        SnapshotInfo u = ms.update(tx -> tx.updateInfo(new SnapshotInfo("a", "", Kind.UNKNOWN, Map.of("z", "3"), null, null),
                List.of("labels.z", "labels.x")));
        assertEquals(Map.of("y", "2", "z", "3"), u.labels());
        assertTrue(u.updatedAt().isAfter(u.createdAt()) || u.updatedAt().equals(u.createdAt()));
        assertEquals("cannot update \"parent\" field on snapshot \"a\": invalid argument", fails(ErrorCode.INVALID_ARGUMENT,
                () -> ms.update(tx -> tx.updateInfo(new SnapshotInfo("a", "", Kind.UNKNOWN, null, null, null), List.of("parent"))))
                .getMessage());
        List<String> names = new ArrayList<>();
        ms.view(tx -> {
            tx.walk(Filters.parse("kind==view"), i -> names.add(i.name()));
            tx.walk(Filters.parse("labels.z==3"), i -> names.add(i.name()));
            tx.walk(null, i -> names.add(i.name()));
            return null;
        });
        assertEquals(List.of("b", "a", "a", "b"), names);
    }
}
