package io.jcontainerd.metadata.bolt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.snapshots.Kind;
import io.jcontainerd.snapshots.SnapshotIndex;
import io.jcontainerd.snapshots.SnapshotInfo;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotIndexTest {
    @TempDir
    Path dir;
    BoltMetadataStore store;

    @BeforeEach
    void open() throws Exception {
        store = BoltMetadataStore.open(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static SnapshotIndex.Entry entry(String key, String parent, Map<String, String> labels, String bkey) {
        Instant t = Instant.parse("2024-01-02T03:04:05.123456789Z");
        return new SnapshotIndex.Entry(new SnapshotInfo(key, parent, Kind.ACTIVE, labels, t, t), bkey);
    }

    @Test
    void recordsRoundTripAndSurviveReopening() throws Exception {
        SnapshotIndex.Entry e = entry("k0", "", Map.of("a", "1", "containerd.io/gc.root", "x"), "ns/1/k0");
        store.update(tx -> {
            tx.snapshots().create("ns", "overlayfs", e);
            return null;
        });
        store.close();
        store = BoltMetadataStore.open(dir);
        assertEquals(e, store.view(tx -> tx.snapshots().get("ns", "overlayfs", "k0")));
        assertNull(store.view(tx -> tx.snapshots().get("ns", "native", "k0")));
        assertNull(store.view(tx -> tx.snapshots().get("other", "overlayfs", "k0")));
        assertEquals(List.of("overlayfs"), store.view(tx -> tx.snapshots().snapshotters("ns")));
        assertEquals(List.of("ns"), store.view(tx -> tx.namespaces().list()));
    }

    @Test
    void sequencesArePerNamespaceAndSnapshotter() {
        assertEquals(List.of(1L, 2L, 1L, 1L), store.update(tx -> List.of(
                tx.snapshots().nextSequence("a", "overlayfs"), tx.snapshots().nextSequence("a", "overlayfs"),
                tx.snapshots().nextSequence("a", "native"), tx.snapshots().nextSequence("b", "overlayfs"))));
        assertEquals(List.of(), store.view(tx -> tx.snapshots().snapshotters("a")), "a sequence alone is no snapshot");
    }

    @Test
    void parentsChildrenAndDeletion() {
        store.update(tx -> {
            SnapshotIndex s = tx.snapshots();
            s.create("ns", "sn", entry("c0", "", Map.of(), "ns/1/c0"));
            s.create("ns", "sn", entry("k1", "c0", Map.of(), "ns/2/k1"));
            s.create("ns", "sn", entry("k2", "c0", Map.of(), "ns/3/k2"));
            return null;
        });
        assertEquals(List.of("k1", "k2"), store.view(tx -> tx.snapshots().children("ns", "sn", "c0")));
        assertEquals(List.of("c0", "k1", "k2"), store.view(tx -> tx.snapshots().list("ns", "sn"))
                .stream().map(e -> e.info().name()).toList());
        ContainerdException dup = assertThrows(ContainerdException.class, () -> store.update(tx -> {
            tx.snapshots().create("ns", "sn", entry("k1", "", Map.of(), "x"));
            return null;
        }));
        assertEquals(ErrorCode.ALREADY_EXISTS, dup.code());
        assertEquals("snapshot \"k1\": already exists", dup.getMessage());
        ContainerdException orphan = assertThrows(ContainerdException.class, () -> store.update(tx -> {
            tx.snapshots().create("ns", "sn", entry("k3", "nope", Map.of(), "x"));
            return null;
        }));
        assertEquals("parent snapshot nope does not exist: not found", orphan.getMessage());

        assertTrue((boolean) store.update(tx -> tx.snapshots().delete("ns", "sn", "k1")));
        assertFalse((boolean) store.update(tx -> tx.snapshots().delete("ns", "sn", "k1")));
        assertEquals(List.of("k2"), store.view(tx -> tx.snapshots().children("ns", "sn", "c0")));
        ContainerdException busy = assertThrows(ContainerdException.class,
                () -> store.update(tx -> {
                    tx.namespaces().delete("ns");
                    return null;
                }));
        assertEquals("namespace \"ns\" must be empty, but it still has snapshots on \"sn\" snapshotter: failed precondition",
                busy.getMessage());
        store.update(tx -> tx.snapshots().delete("ns", "sn", "k2") && tx.snapshots().delete("ns", "sn", "c0"));
        assertEquals(List.of(), store.view(tx -> tx.snapshots().list("ns", "sn")));
        store.update(tx -> {
            tx.namespaces().delete("ns");
            return null;
        });
    }

    @Test
    void updateKeepsNameParentAndBackendKey() {
        store.update(tx -> {
            tx.snapshots().create("ns", "sn", entry("c0", "", Map.of(), "ns/1/c0"));
            tx.snapshots().create("ns", "sn", entry("k1", "c0", Map.of("a", "1"), "ns/2/k1"));
            return null;
        });
        Instant later = Instant.parse("2025-01-01T00:00:00Z");
        store.update(tx -> {
            tx.snapshots().update("ns", "sn", new SnapshotIndex.Entry(new SnapshotInfo("k1", "", Kind.UNKNOWN,
                    Map.of("b", "2"), Instant.EPOCH, later), "ignored"));
            return null;
        });
        SnapshotIndex.Entry e = store.view(tx -> tx.snapshots().get("ns", "sn", "k1"));
        assertEquals("c0", e.info().parent());
        assertEquals("ns/2/k1", e.backendKey());
        assertEquals(Map.of("b", "2"), e.info().labels());
        assertEquals(later, e.info().updatedAt());
    }
}
