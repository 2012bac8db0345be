package io.jcontainerd.snapshots.nativecopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.jcontainerd.mount.Mount;
import io.jcontainerd.mount.Mounter;
import io.jcontainerd.mount.linux.LinuxMounter;
import io.jcontainerd.snapshots.Snapshotter;
import io.jcontainerd.snapshots.fs.FileStat;
import io.jcontainerd.snapshots.fs.Posix;
import io.jcontainerd.snapshots.testsuite.SnapshotterSuite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeSnapshotterTest extends SnapshotterSuite {
    private final LinuxMounter mounter = new LinuxMounter();

    @Override
    protected Snapshotter create(Path root) throws Exception {
        return new NativeSnapshotter(root);
    }

    @Override
    protected void close(Snapshotter sn) {
        ((NativeSnapshotter) sn).close();
    }

    @Override
    protected Mounter mounter() {
        return mounter;
    }

    String dirOf(String id) {
        return root.resolve("snapshots").resolve(id).toString();
    }

    @Test
    void mountsAreBindsAndViewsUseTheirParentsDirectory() throws Exception {
        assertEquals(List.of(new Mount("bind", dirOf("1"), List.of("rbind", "rw"))), sn.prepare("k0", "", Map.of()));
        sn.commit("c0", "k0", Map.of());
        assertEquals(List.of(new Mount("bind", dirOf("1"), List.of("rbind", "ro"))), sn.view("v", "c0", Map.of()));
        assertEquals(false, Files.exists(Path.of(dirOf("2"))), "a view copies nothing");
        assertEquals(List.of(new Mount("bind", dirOf("3"), List.of("rbind", "rw"))), sn.prepare("k1", "c0", Map.of()));
        // containerd measures the view's (absent) directory before it checks the kind
        assertEquals("lstat " + dirOf("2") + ": no such file or directory",
                fails(io.jcontainerd.errdefs.ErrorCode.UNKNOWN, () -> sn.commit("cv", "v", Map.of())).getMessage());
    }

    @Test
    void prepareCopiesOwnersModesLinksAndDevices() throws Exception {
        sn.prepare("k0", "", Map.of());
        Path base = Path.of(dirOf("1"));
        Path f = Files.writeString(base.resolve("f"), "data");
        Posix.lchown(f, 42, 43);
        Posix.chmod(f, 02750);
        Files.createLink(base.resolve("h"), f);
        Files.createSymbolicLink(base.resolve("s"), Path.of("f"));
        Posix.mknod(base.resolve("null"), FileStat.S_IFCHR | 0666, Posix.makedev(1, 3));
        sn.commit("c0", "k0", Map.of());
        sn.prepare("k1", "c0", Map.of());
        Path copy = Path.of(dirOf("2"));
        FileStat st = Posix.lstat(copy.resolve("f"));
        assertEquals(42, st.uid());
        assertEquals(43, st.gid());
        assertEquals(02750, st.permissions());
        assertEquals(st.ino(), Posix.lstat(copy.resolve("h")).ino());
        assertNotEquals(Posix.lstat(f).ino(), st.ino());
        assertEquals(Path.of("f"), Files.readSymbolicLink(copy.resolve("s")));
        assertEquals(Posix.makedev(1, 3), Posix.lstat(copy.resolve("null")).rdev());
        assertEquals(0755, Posix.lstat(copy).permissions());
    }
}
