package io.jcontainerd.metadata.bolt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.containers.Container;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.leases.Resource;
import io.jcontainerd.types.TypedValue;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerAndLeaseStoreTest {
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

    static Container container(String id) {
        return new Container(id, Map.of("a", "1"), "img", new Container.Runtime("io.containerd.runc.v2",
                new TypedValue("containerd.runc.v1.Options", new byte[] {1, 2})), new TypedValue("spec", "{}".getBytes()),
                "overlayfs", id, null, null, Map.of("e", new TypedValue("t", new byte[] {3})));
    }

    @Test
    void recordsRoundTripThroughTheStore() throws Exception {
        Container created = store.update(tx -> tx.containers().create("ns", container("c1")));
        store.close();
        store = BoltMetadataStore.open(dir);
        Container read = store.view(tx -> tx.containers().get("ns", "c1"));
        assertEquals(created, read);
        assertTrue(read.createdAt() != null && read.createdAt().equals(read.updatedAt()));
    }

    @Test
    void listFiltersAndNamespacesIsolate() {
        store.update(tx -> {
            tx.containers().create("ns", container("c1"));
            tx.containers().create("ns", container("c2").withLabels(Map.of("b", "2")));
            tx.containers().create("other", container("c3"));
            return null;
        });
        assertEquals(List.of("c2"), store.view(tx -> tx.containers().list("ns", Filters.parse("labels.b==2")))
                .stream().map(Container::id).toList());
        assertEquals(List.of("c1", "c2"), store.view(tx -> tx.containers().list("ns", Filters.parse("")))
                .stream().map(Container::id).toList());
        assertEquals(List.of("ns", "other"), store.view(tx -> tx.namespaces().list()));
    }

    @Test
    void leasesHoldResources() {
        store.update(tx -> tx.leases().create("ns", "l1", Map.of("containerd.io/gc.expire", "x")));
        String digest = "sha256:" + "a".repeat(64);
        store.update(tx -> {
            tx.leases().addResource("ns", "l1", new Resource(digest, "content"));
            tx.leases().addResource("ns", "l1", new Resource("k1", "snapshots/overlayfs"));
            tx.leases().addResource("ns", "l1", new Resource("ref-1", "ingests"));
            return null;
        });
        assertEquals(List.of(new Resource(digest, "content"), new Resource("ref-1", "ingests"),
                new Resource("k1", "snapshots/overlayfs")), store.view(tx -> tx.leases().listResources("ns", "l1")));
        assertEquals(List.of("l1"), store.view(tx -> tx.leases().list("ns", Filters.parse(""))).stream().map(l -> l.id()).toList());

        ContainerdException bad = assertThrows(ContainerdException.class, () -> store.update(tx -> {
            tx.leases().addResource("ns", "l1", new Resource("sha256:zz", "content"));
            return null;
        }));
        assertEquals("invalid content resource id sha256:zz: invalid checksum digest length: invalid argument", bad.getMessage());
        assertEquals(ErrorCode.NOT_IMPLEMENTED, assertThrows(ContainerdException.class, () -> store.update(tx -> {
            tx.leases().addResource("ns", "l1", new Resource("x", "containers"));
            return null;
        })).code());
        assertEquals("lease \"l1\": already exists", assertThrows(ContainerdException.class,
                () -> store.update(tx -> tx.leases().create("ns", "l1", Map.of()))).getMessage());

        store.update(tx -> {
            tx.leases().delete("ns", "l1");
            return null;
        });
        assertEquals(List.of(), store.view(tx -> tx.leases().list("ns", Filters.parse(""))));
        assertEquals("lease \"l1\": not found", assertThrows(ContainerdException.class,
                () -> store.view(tx -> tx.leases().listResources("ns", "l1"))).getMessage());
    }
}
