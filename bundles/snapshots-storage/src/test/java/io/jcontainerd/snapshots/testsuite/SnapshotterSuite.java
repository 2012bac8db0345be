package io.jcontainerd.snapshots.testsuite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.mount.Mounter;
import io.jcontainerd.snapshots.Kind;
import io.jcontainerd.snapshots.SnapshotInfo;
import io.jcontainerd.snapshots.Snapshotter;
import io.jcontainerd.snapshots.Usage;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every snapshotter must do (after containerd's {@code snapshots/testsuite}), with real mounts in a
 * temporary directory. Implementations extend it and say how to make one.
 */
public abstract class SnapshotterSuite {
    @TempDir
    protected Path dir;
    protected Snapshotter sn;
    protected Path root;
    private final List<Path> mounted = new ArrayList<>();

    /** A snapshotter on {@code root}. */
    protected abstract Snapshotter create(Path root) throws Exception;

    /** Closes it. */
    protected abstract void close(Snapshotter sn) throws Exception;

    protected abstract Mounter mounter();

    @BeforeEach
    void open() throws Exception {
        root = dir.resolve("root");
        sn = create(root);
    }

    @AfterEach
    void unmountAndClose() throws Exception {
        for (Path p : mounted) {
            mounter().unmountAll(p, true);
        }
        close(sn);
    }

    protected Path mount(List<Mount> mounts) throws IOException {
        Path target = Files.createTempDirectory(dir, "mnt-");
        mounted.add(target);
        mounter().mountAll(mounts, target);
        return target;
    }

    protected void unmount(Path target) {
        mounter().unmountAll(target, false);
    }

    protected static ContainerdException fails(ErrorCode code, Runnable r) {
        ContainerdException e = assertThrows(ContainerdException.class, r::run);
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    /** Prepares {@code key} on {@code parent}, writes files into it, and commits it as {@code name}. */
    protected void layer(String name, String key, String parent, Map<String, String> files, List<String> deletions)
            throws IOException {
        Path m = mount(sn.prepare(key, parent, Map.of()));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = m.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        for (String d : deletions) {
            Files.delete(m.resolve(d));
        }
        unmount(m);
        sn.commit(name, key, Map.of());
    }

    @Test
    public void prepareWriteCommitAndStat() throws Exception {
        layer("c0", "k0", "", Map.of("a/file", "hello"), List.of());
        SnapshotInfo info = sn.stat("c0");
        assertEquals(Kind.COMMITTED, info.kind());
        assertEquals("", info.parent());
        assertTrue(info.createdAt() != null && info.updatedAt() != null);
        Usage u = sn.usage("c0");
        assertTrue(u.size() > 0 && u.inodes() >= 3, u.toString());
        fails(ErrorCode.NOT_FOUND, () -> sn.stat("k0"));
    }

    @Test
    public void childrenSeeTheirParentsAndWriteOnTheirOwn() throws Exception {
        layer("c0", "k0", "", Map.of("base", "0", "gone", "x"), List.of());
        layer("c1", "k1", "c0", Map.of("one", "1", "base", "changed"), List.of("gone"));
        Path m = mount(sn.prepare("k2", "c1", Map.of()));
        assertEquals("changed", Files.readString(m.resolve("base")));
        assertEquals("1", Files.readString(m.resolve("one")));
        assertFalse(Files.exists(m.resolve("gone")), "deleted in c1");
        Files.writeString(m.resolve("two"), "2");
        unmount(m);
        assertEquals(Kind.ACTIVE, sn.stat("k2").kind());
        assertEquals("c1", sn.stat("k2").parent());
        assertTrue(sn.usage("k2").inodes() >= 2);

        Path v = mount(sn.view("v", "c1", Map.of()));
        assertEquals("1", Files.readString(v.resolve("one")));
        assertFalse(Files.exists(v.resolve("two")), "the active child's writes are its own");
        assertThrows(FileSystemException.class, () -> Files.writeString(v.resolve("x"), "x"));
        unmount(v);
        assertEquals(Kind.VIEW, sn.stat("v").kind());
    }

    @Test
    public void viewWithoutParentIsReadOnlyAndEmpty() throws Exception {
        List<Mount> mounts = sn.view("v", "", Map.of());
        assertEquals(1, mounts.size());
        assertEquals("bind", mounts.get(0).type());
        assertTrue(mounts.get(0).options().contains("ro"), mounts.toString());
        Path v = mount(mounts);
        try (Stream<Path> s = Files.list(v)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    public void deepChains() throws Exception {
        String parent = "";
        for (int i = 0; i < 6; i++) {
            layer("c" + i, "k" + i, parent, Map.of("f" + i, String.valueOf(i)), List.of());
            parent = "c" + i;
        }
        sn.prepare("top", parent, Map.of());
        Path m = mount(sn.mounts("top"));
        for (int i = 0; i < 6; i++) {
            assertEquals(String.valueOf(i), Files.readString(m.resolve("f" + i)));
        }
    }

    @Test
    public void rulesAndErrors() throws Exception {
        layer("c0", "k0", "", Map.of(), List.of());
        sn.prepare("k1", "c0", Map.of());
        assertEquals(ErrorCode.ALREADY_EXISTS, fails(ErrorCode.ALREADY_EXISTS, () -> sn.prepare("k1", "", Map.of())).code());
        fails(ErrorCode.NOT_FOUND, () -> sn.prepare("k2", "missing", Map.of()));
        fails(ErrorCode.INVALID_ARGUMENT, () -> sn.prepare("k2", "k1", Map.of()));
        assertEquals("failed to remove: cannot remove snapshot with child: failed precondition",
                fails(ErrorCode.FAILED_PRECONDITION, () -> sn.remove("c0")).getMessage());
        sn.view("v", "c0", Map.of());
        assertThrows(ContainerdException.class, () -> sn.commit("cv", "v", Map.of()), "a view is not committed");
        fails(ErrorCode.FAILED_PRECONDITION, () -> sn.mounts("c0"));
        fails(ErrorCode.ALREADY_EXISTS, () -> sn.commit("c0", "k1", Map.of()));
        fails(ErrorCode.NOT_FOUND, () -> sn.commit("c9", "nope", Map.of()));
        fails(ErrorCode.NOT_FOUND, () -> sn.mounts("nope"));
        fails(ErrorCode.NOT_FOUND, () -> sn.remove("nope"));
        sn.remove("k1");
        sn.remove("v");
        sn.remove("c0");
        List<SnapshotInfo> left = new ArrayList<>();
        sn.walk(left::add);
        assertEquals(List.of(), left);
    }

    @Test
    public void removeThenCleanupLeavesNoDirectories() throws Exception {
        layer("c0", "k0", "", Map.of("a", "a"), List.of());
        sn.prepare("k1", "c0", Map.of());
        sn.remove("k1");
        sn.remove("c0");
        Files.createDirectories(root.resolve("snapshots").resolve("999"));
        sn.cleanup();
        try (Stream<Path> s = Files.list(root.resolve("snapshots"))) {
            assertEquals(List.of(), s.toList());
        }
    }

    @Test
    public void labelsUpdateAndWalk() throws Exception {
        sn.prepare("a", "", Map.of("x", "1"));
        SnapshotInfo u = sn.update(new SnapshotInfo("a", "", Kind.UNKNOWN, Map.of("y", "2"), null, null), List.of("labels.y"));
        assertEquals("1", u.labels().get("x"));
        assertEquals("2", u.labels().get("y"));
        u = sn.update(new SnapshotInfo("a", "", Kind.UNKNOWN, Map.of(), null, null), List.of("labels.x"));
        assertFalse(u.labels().containsKey("x"));
        assertEquals(u.labels(), sn.stat("a").labels());
        fails(ErrorCode.NOT_FOUND, () -> sn.update(new SnapshotInfo("b", "", Kind.UNKNOWN, Map.of(), null, null), List.of()));
        List<String> names = new ArrayList<>();
        sn.walk(i -> names.add(i.name()));
        assertEquals(List.of("a"), names);
    }

    @Test
    public void snapshotsSurviveReopening() throws Exception {
        layer("c0", "k0", "", Map.of("a", "kept"), List.of());
        close(sn);
        sn = create(root);
        Path m = mount(sn.view("v", "c0", Map.of()));
        assertEquals("kept", Files.readString(m.resolve("a")));
    }
}
