package io.jcontainerd.differ.walking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.images.Descriptor;
import io.jcontainerd.mount.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay paths against the real kernel: a layer applied into an overlay upperdir, then mounted,
 * shows the upper tree; comparing through a (temporarily mounted) overlay gives the same layer.
 */
class OverlayRoundTripTest {
    @TempDir
    Path tmp;
    final SyscallMounter mounter = new SyscallMounter();
    Path view;

    @BeforeEach
    void setUp() throws IOException {
        view = Files.createDirectory(tmp.resolve("view"));
    }

    @AfterEach
    void unmount() {
        mounter.unmountAll(view, true);
    }

    @Test
    void applyIntoAnUpperdirThenCompareThroughTheOverlay() throws IOException {
        Path lower = Files.createDirectory(tmp.resolve("lower"));
        Path upper = Files.createDirectory(tmp.resolve("upper"));
        Fixtures.lower(lower);
        Fixtures.upper(upper);
        MemoryContentStore store = new MemoryContentStore(Files.createDirectory(tmp.resolve("blobs")));
        WalkingDiffer differ = new WalkingDiffer(store, mounter, tmp.resolve("tmpmounts"));
        Descriptor layer = differ.compare("default", null, WalkingDifferTest.bind(lower), WalkingDifferTest.bind(upper),
                "", "", Map.of());

        // unpack as the overlayfs snapshotter would: into the upperdir of an active snapshot
        Path l1 = Files.createDirectory(tmp.resolve("l1"));
        Fixtures.lower(l1);
        Path up = Files.createDirectory(tmp.resolve("up"));
        Path work = Files.createDirectory(tmp.resolve("work"));
        Mount active = new Mount("overlay", "overlay",
                List.of("index=off", "workdir=" + work, "upperdir=" + up, "lowerdir=" + l1));
        differ.apply("default", layer, List.of(active), Map.of());
        assertTrue(Files.isDirectory(up.resolve("etc")), "written into the upperdir");

        mounter.mountAll(List.of(new Mount("overlay", "overlay", List.of("ro", "lowerdir=" + up + ":" + l1))), view);
        assertEquals(Trees.describe(upper), Trees.describe(view));
        mounter.unmountAll(view, false);

        // compare through the overlay, which the differ mounts read-only on a temporary directory
        Descriptor again = differ.compare("default", null, WalkingDifferTest.bind(l1), List.of(active), "", "", Map.of());
        Path copy = Files.createDirectory(tmp.resolve("copy"));
        Fixtures.lower(copy);
        differ.apply("default", again, WalkingDifferTest.bind(copy), Map.of());
        assertEquals(Trees.describe(upper), Trees.describe(copy));
        try (var s = Files.list(tmp.resolve("tmpmounts"))) {
            assertEquals(0, s.count(), "temporary mount points are removed");
        }
    }

    @Test
    void theKernelHonoursOurWhiteoutsAndOpaqueDirectories() throws IOException {
        Path l1 = Files.createDirectories(tmp.resolve("l1"));
        Files.createDirectories(l1.resolve("opq/olddir"));
        Files.writeString(l1.resolve("opq/old"), "old");
        Files.writeString(l1.resolve("del"), "x");
        Files.writeString(l1.resolve("keep"), "k");
        Path up = Files.createDirectory(tmp.resolve("up"));
        Path work = Files.createDirectory(tmp.resolve("work"));
        MemoryContentStore store = new MemoryContentStore(Files.createDirectory(tmp.resolve("blobs")));
        WalkingDiffer differ = new WalkingDiffer(store, mounter, tmp.resolve("tmpmounts"));
        byte[] tar = new TarBuilder().file(".wh.del", "", 0644).dir("opq", 0755).file("opq/.wh..wh..opq", "", 0644)
                .file("opq/new", "n", 0644).build();
        Descriptor d = new Descriptor(LayerMediaTypes.OCI_LAYER, store.put(tar), tar.length, null);
        differ.apply("default", d, List.of(new Mount("overlay", "overlay",
                List.of("workdir=" + work, "upperdir=" + up, "lowerdir=" + l1))), Map.of());
        mounter.mountAll(List.of(new Mount("overlay", "overlay", List.of("ro", "lowerdir=" + up + ":" + l1))), view);
        assertEquals(List.of("keep", "opq"), LayerApplierTest.list(view));
        assertEquals(List.of("new"), LayerApplierTest.list(view.resolve("opq")));
    }
}
