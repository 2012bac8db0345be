package io.jcontainerd.metadata.bolt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.images.Image;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {
    static final String INDEX = "application/vnd.oci.image.index.v1+json";
    static final String MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final Digest D1 = Digest.parse("sha256:" + "1".repeat(64));
    static final Digest D2 = Digest.parse("sha256:" + "2".repeat(64));

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

    static Image image(String name, Map<String, String> labels, Descriptor target) {
        return new Image(name, labels, target, null, null);
    }

    static Descriptor target(String mediaType, Digest digest, long size, Map<String, String> annotations) {
        return new Descriptor(mediaType, digest, size, annotations);
    }

    <T> T write(Function<io.jcontainerd.images.ImageStore, T> work) {
        return store.update(tx -> work.apply(tx.images()));
    }

    ContainerdException failure(Function<io.jcontainerd.images.ImageStore, ?> work) {
        return assertThrows(ContainerdException.class, () -> write(work));
    }

    @Test
    void createGetAndRoundTripThroughReopen() throws Exception {
        Image created = write(s -> s.create("ns", image("docker.io/library/busybox:latest", Map.of("a", "1", "gone", ""),
                target(INDEX, D1, 1234, Map.of("org.opencontainers.image.ref.name", "latest", "empty", "")))));
        assertEquals(Map.of("a", "1"), created.labels(), "empty label values are not stored");
        assertEquals(Map.of("org.opencontainers.image.ref.name", "latest"), created.target().annotations());
        assertTrue(created.createdAt() != null && created.createdAt().equals(created.updatedAt()));
        store.close();
        store = BoltMetadataStore.open(dir);
        assertEquals(created, store.view(tx -> tx.images().get("ns", "docker.io/library/busybox:latest")));
        assertEquals(List.of("ns"), store.view(tx -> tx.namespaces().list()), "creating an image makes its namespace");
    }

    @Test
    void messagesAsContainerd() {
        write(s -> s.create("ns", image("x", Map.of(), target(INDEX, D1, 1, null))));
        assertEquals("image \"x\": already exists",
                failure(s -> s.create("ns", image("x", Map.of(), target(INDEX, D1, 1, null)))).getMessage());
        assertEquals("image \"y\": not found", assertThrows(ContainerdException.class,
                () -> store.view(tx -> tx.images().get("ns", "y"))).getMessage());
        assertEquals("image \"x\": not found", assertThrows(ContainerdException.class,
                () -> store.view(tx -> tx.images().get("other", "x"))).getMessage());
        assertEquals("image \"y\": not found", failure(s -> {
            s.delete("ns", "y");
            return null;
        }).getMessage());
        assertEquals("image \"y\": not found",
                failure(s -> s.update("ns", image("y", Map.of(), target(INDEX, D1, 1, null)), List.of())).getMessage());

        assertEquals("image name must not be empty: invalid argument",
                failure(s -> s.create("ns", image("", Map.of(), target(INDEX, D1, 1, null)))).getMessage());
        assertEquals("image name is required for update: invalid argument",
                failure(s -> s.update("ns", image("", Map.of(), target(INDEX, D1, 1, null)), List.of())).getMessage());
        assertEquals("Target.Digest \"\" invalid: invalid checksum digest format: invalid argument",
                failure(s -> s.create("ns", image("z", Map.of(), target(INDEX, null, 1, null)))).getMessage());
        assertEquals("Target.Size must be greater than zero: invalid argument",
                failure(s -> s.create("ns", image("z", Map.of(), target(INDEX, D1, 0, null)))).getMessage());
        assertEquals("Target.MediaType must be set: invalid argument",
                failure(s -> s.create("ns", image("z", Map.of(), target("", D1, 1, null)))).getMessage());
        ContainerdException big = failure(s -> s.create("ns", image("z", Map.of("big", "v".repeat(4094)), target(INDEX, D1, 1, null))));
        assertEquals("image.Labels: label key and value greater than maximum size (4096 bytes), key: big: invalid argument",
                big.getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, big.code());
        assertEquals("cannot update \"name\" field on image \"x\": invalid argument",
                failure(s -> s.update("ns", image("x", Map.of(), null), List.of("name"))).getMessage());
        // a failed write leaves nothing behind
        assertEquals(List.of("x"), names("ns", ""));
    }

    @Test
    void fieldMasks() throws Exception {
        Image created = write(s -> s.create("ns", image("img", Map.of("a", "1", "b", "2"),
                target(INDEX, D1, 10, Map.of("an1", "x", "an2", "y")))));
        Thread.sleep(2);

        Image labelled = write(s -> s.update("ns", image("img", Map.of("c", "3"), null), List.of("labels.c", "labels.a")));
        assertEquals(Map.of("b", "2", "c", "3"), labelled.labels(), "a key absent from the request is removed");
        assertEquals(created.target(), labelled.target());
        assertEquals(created.createdAt(), labelled.createdAt());
        assertNotEquals(created.updatedAt(), labelled.updatedAt());

        Image replacedLabels = write(s -> s.update("ns", image("img", Map.of("z", "9"), null), List.of("labels")));
        assertEquals(Map.of("z", "9"), replacedLabels.labels());

        Image annotated = write(s -> s.update("ns", image("img", Map.of(), target("", null, 0, Map.of("an3", "z"))),
                List.of("annotations.an3", "annotations.an1")));
        assertEquals(Map.of("an2", "y", "an3", "z"), annotated.target().annotations());
        assertEquals(D1, annotated.target().digest());

        Image retargeted = write(s -> s.update("ns", image("img", Map.of(), target(MANIFEST, D2, 20, Map.of("t", "1"))),
                List.of("target")));
        assertEquals(target(MANIFEST, D2, 20, Map.of("t", "1")), retargeted.target(), "target is replaced as a unit");
        assertEquals(Map.of("z", "9"), retargeted.labels());

        Image reannotated = write(s -> s.update("ns", image("img", Map.of(), target("", null, 0, Map.of("u", "2"))),
                List.of("annotations")));
        assertEquals(target(MANIFEST, D2, 20, Map.of("u", "2")), reannotated.target());

        assertEquals("Target.Digest \"\" invalid: invalid checksum digest format: invalid argument",
                failure(s -> s.update("ns", image("img", Map.of(), target(INDEX, null, 1, null)), List.of("target"))).getMessage());

        // no mask: the whole record is replaced, only the creation time is kept
        Image replaced = write(s -> s.update("ns", image("img", Map.of("k", "v"), target(INDEX, D1, 5, null)), null));
        assertEquals(Map.of("k", "v"), replaced.labels());
        assertEquals(target(INDEX, D1, 5, null), replaced.target());
        assertEquals(created.createdAt(), replaced.createdAt());
        assertEquals(replaced, store.view(tx -> tx.images().get("ns", "img")));
    }

    @Test
    void filtersAsContainerdsImageAdaptor() {
        write(s -> {
            s.create("ns", image("docker.io/library/busybox:latest", Map.of("env", "prod", "a.b", "dotted"),
                    target(INDEX, D1, 1, Map.of("io.containerd.image.name", "busybox"))));
            s.create("ns", image("docker.io/library/alpine:3", Map.of(), target(MANIFEST, D2, 1, null)));
            s.create("ns", image("localhost/x", Map.of("env", "dev"), target(MANIFEST, D1, 1, null)));
            s.create("other", image("elsewhere", Map.of(), target(MANIFEST, D1, 1, null)));
            return null;
        });
        assertEquals(List.of("docker.io/library/alpine:3", "docker.io/library/busybox:latest", "localhost/x"), names("ns", ""));
        assertEquals(List.of("docker.io/library/busybox:latest"), names("ns", "name==docker.io/library/busybox:latest"));
        assertEquals(List.of("docker.io/library/alpine:3", "docker.io/library/busybox:latest"), names("ns", "name~=^docker.io"));
        assertEquals(List.of("docker.io/library/alpine:3", "localhost/x"), names("ns", "target.mediatype==" + MANIFEST));
        assertEquals(List.of("docker.io/library/busybox:latest", "localhost/x"), names("ns", "target.digest==" + D1));
        assertEquals(List.of("docker.io/library/busybox:latest", "localhost/x"), names("ns", "labels.env"));
        // as in containerd, != also matches images without the field
        assertEquals(List.of("docker.io/library/alpine:3", "localhost/x"), names("ns", "labels.env!=prod"));
        assertEquals(List.of("docker.io/library/busybox:latest"), names("ns", "labels.\"a.b\"==dotted"));
        assertEquals(List.of("docker.io/library/busybox:latest"), names("ns", "annotations.\"io.containerd.image.name\""));
        assertEquals(List.of(), names("ns", "target"));
        assertEquals(List.of("docker.io/library/alpine:3", "localhost/x"),
                store.view(tx -> tx.images().list("ns", Filters.parseAny(List.of("name==localhost/x", "target.digest==" + D2))))
                        .stream().map(Image::name).toList());
    }

    @Test
    void deleteAndTheNamespaceRule() {
        write(s -> s.create("ns", image("img", Map.of(), target(INDEX, D1, 1, null))));
        ContainerdException busy = assertThrows(ContainerdException.class, () -> store.update(tx -> {
            tx.namespaces().delete("ns");
            return null;
        }));
        assertEquals("namespace \"ns\" must be empty, but it still has images: failed precondition", busy.getMessage());
        write(s -> {
            s.delete("ns", "img");
            return null;
        });
        assertEquals(List.of(), names("ns", ""));
        store.update(tx -> {
            tx.namespaces().delete("ns");
            return null;
        });
        assertEquals(List.of(), store.view(tx -> tx.namespaces().list()));
    }

    @Test
    void codecKeepsEveryField() {
        Image image = new Image("n", Map.of("l", "v"), target(INDEX, D2, Long.MAX_VALUE, Map.of("a", "b")),
                java.time.Instant.ofEpochSecond(-62135596800L), java.time.Instant.ofEpochSecond(1, 999_999_999));
        assertEquals(image, ImageCodec.decode("n", ImageCodec.encode(image)));
        Image bare = new Image("n", Map.of(), target("", null, 0, null), null, null);
        assertEquals(bare, ImageCodec.decode("n", ImageCodec.encode(bare)));
    }

    List<String> names(String ns, String filter) {
        return store.view(tx -> tx.images().list(ns, Filters.parse(filter))).stream().map(Image::name).toList();
    }
}
