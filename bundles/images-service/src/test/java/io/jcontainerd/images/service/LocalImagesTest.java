package io.jcontainerd.images.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import containerd.services.images.v1.ImageCreate;
import containerd.services.images.v1.ImageDelete;
import containerd.services.images.v1.ImageUpdate;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.gc.GarbageCollector;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.images.Image;
import io.jcontainerd.metadata.bolt.BoltMetadataStore;
import io.jcontainerd.types.TypedValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalImagesTest {
    /** What was published, in order: namespace, topic, payload. */
    record Published(String namespace, String topic, TypedValue event) {
    }

    @TempDir
    Path dir;
    BoltMetadataStore db;
    final List<Published> published = new ArrayList<>();
    final AtomicReference<GarbageCollector> gc = new AtomicReference<>();
    LocalImages images;

    @BeforeEach
    void open() throws Exception {
        db = BoltMetadataStore.open(dir);
        EventPublisher events = (ns, topic, event) -> published.add(new Published(ns, topic, event));
        images = new LocalImages(db, events, gc::get);
    }

    @AfterEach
    void close() {
        db.close();
    }

    static Image image(String name, Map<String, String> labels) {
        return new Image(name, labels, new Descriptor("application/vnd.oci.image.index.v1+json",
                Digest.parse("sha256:" + "a".repeat(64)), 100, null), null, null);
    }

    @Test
    void eachChangePublishesItsEventAfterTheWrite() throws Exception {
        images.create("ns", image("img", Map.of("a", "1", "empty", "")));
        images.update("ns", image("img", Map.of("b", "2")), List.of("labels.b"));
        images.delete("ns", "img", false);
        assertEquals(List.of("/images/create", "/images/update", "/images/delete"),
                published.stream().map(Published::topic).toList());
        assertEquals(List.of("ns", "ns", "ns"), published.stream().map(Published::namespace).toList());
        assertEquals("containerd.services.images.v1.ImageCreate", published.get(0).event().typeUrl());
        assertEquals(ImageCreate.newBuilder().setName("img").putLabels("a", "1").build(),
                ImageCreate.parseFrom(published.get(0).event().value()), "the stored labels, not the requested ones");
        assertEquals(ImageUpdate.newBuilder().setName("img").putLabels("a", "1").putLabels("b", "2").build(),
                ImageUpdate.parseFrom(published.get(1).event().value()));
        assertEquals(ImageDelete.newBuilder().setName("img").build(), ImageDelete.parseFrom(published.get(2).event().value()));
    }

    @Test
    void failedChangesPublishNothing() {
        images.create("ns", image("img", Map.of()));
        published.clear();
        assertEquals("image \"img\": already exists",
                assertThrows(ContainerdException.class, () -> images.create("ns", image("img", Map.of()))).getMessage());
        assertEquals("image \"nope\": not found",
                assertThrows(ContainerdException.class, () -> images.delete("ns", "nope", true)).getMessage());
        assertEquals(List.of(), published);
    }

    @Test
    void syncDeleteRunsOneCollectionWhenACollectorIsThere() {
        AtomicInteger collections = new AtomicInteger();
        images.create("ns", image("a", Map.of()));
        images.create("ns", image("b", Map.of()));
        images.create("ns", image("c", Map.of()));
        images.delete("ns", "a", true); // no collector yet: nothing to run
        gc.set(collections::incrementAndGet);
        images.delete("ns", "b", false);
        assertEquals(0, collections.get());
        images.delete("ns", "c", true);
        assertEquals(1, collections.get());
    }

    @Test
    void listParsesFiltersAsContainerd() {
        images.create("ns", image("x", Map.of("k", "v")));
        images.create("ns", image("y", Map.of()));
        assertEquals(List.of("x"), images.list("ns", List.of("labels.k==v")).stream().map(Image::name).toList());
        assertEquals(List.of("x", "y"), images.list("ns", List.of()).stream().map(Image::name).toList());
        ContainerdException bad = assertThrows(ContainerdException.class, () -> images.list("ns", List.of("name==")));
        assertEquals(io.jcontainerd.errdefs.ErrorCode.INVALID_ARGUMENT, bad.code());
    }
}
