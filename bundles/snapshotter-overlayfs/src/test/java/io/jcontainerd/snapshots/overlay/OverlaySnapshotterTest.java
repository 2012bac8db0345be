package io.jcontainerd.snapshots.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.mount.Mount;
import io.jcontainerd.mount.Mounter;
import io.jcontainerd.mount.linux.LinuxMounter;
import io.jcontainerd.snapshots.Snapshotter;
import io.jcontainerd.snapshots.testsuite.SnapshotterSuite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverlaySnapshotterTest extends SnapshotterSuite {
    private final LinuxMounter mounter = new LinuxMounter();

    @Override
    protected Snapshotter create(Path root) throws Exception {
        return new OverlaySnapshotter(root, false, false);
    }

    @Override
    protected void close(Snapshotter sn) {
        ((OverlaySnapshotter) sn).close();
    }

    @Override
    protected Mounter mounter() {
        return mounter;
    }

    String fs(String id) {
        return root.resolve("snapshots").resolve(id).resolve("fs").toString();
    }

    List<String> overlayOptions(String... rest) {
        List<String> o = new ArrayList<>();
        if (Files.exists(Path.of("/sys/module/overlay/parameters/index"))) {
            o.add("index=off");
        }
        o.addAll(List.of(rest));
        return o;
    }

    @Test
    void mountsAreContainerdsLayout() throws Exception {
        assertEquals(List.of(new Mount("bind", fs("1"), List.of("rw", "rbind"))), sn.prepare("k0", "", Map.of()));
        assertTrue(Files.isDirectory(root.resolve("snapshots/1/work")));
        sn.commit("c0", "k0", Map.of());
        assertEquals(List.of(new Mount("bind", fs("1"), List.of("ro", "rbind"))), sn.view("v1", "c0", Map.of()));
        assertTrue(!Files.exists(root.resolve("snapshots/2/work")), "views have no work directory");
        assertEquals(List.of(new Mount("overlay", "overlay", overlayOptions("workdir=" + root.resolve("snapshots/3/work"),
                "upperdir=" + fs("3"), "lowerdir=" + fs("1")))), sn.prepare("k1", "c0", Map.of()));
        sn.commit("c1", "k1", Map.of());
        assertEquals(List.of(new Mount("overlay", "overlay", overlayOptions("lowerdir=" + fs("3") + ":" + fs("1")))),
                sn.view("v2", "c1", Map.of()));
        assertEquals(sn.mounts("v2"), sn.view("v3", "c1", Map.of()).stream().map(m -> new Mount(m.type(), m.source(),
                m.options())).toList());
        assertTrue(Files.exists(root.resolve(io.jcontainerd.snapshots.storage.MetaStore.FILE)));
        assertEquals("failed to commit snapshot: snapshot \"v1\" is not active: failed precondition",
                fails(io.jcontainerd.errdefs.ErrorCode.FAILED_PRECONDITION, () -> sn.commit("cv", "v1", Map.of())).getMessage());
    }

    @Test
    void supportCheckMountsAnOverlayAndLeavesNothing() throws Exception {
        OverlaySupport.check(dir.resolve("check"), mounter);
        try (var s = Files.list(dir.resolve("check"))) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void asynchronousRemoveLeavesDirectoriesForCleanup() throws Exception {
        close(sn);
        OverlaySnapshotter async = new OverlaySnapshotter(root, true, true);
        sn = async;
        async.prepare("k", "", Map.of());
        assertEquals(fs("1"), async.stat("k").labels().get(OverlaySnapshotter.UPPERDIR_LABEL));
        async.remove("k");
        assertTrue(Files.isDirectory(root.resolve("snapshots/1")));
        async.cleanup();
        assertTrue(!Files.exists(root.resolve("snapshots/1")));
    }
}
