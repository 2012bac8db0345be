package io.jcontainerd.mount.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.mount.Mount;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real mounts in a temporary directory (the tests run as root), each undone afterwards. */
class LinuxMounterTest {
    @TempDir
    Path dir;
    final LinuxMounter mounter = new LinuxMounter();
    final List<Path> targets = new ArrayList<>();

    @AfterEach
    void unmountEverything() {
        for (Path t : targets) {
            mounter.unmountAll(t, true);
        }
    }

    Path target(String name) throws IOException {
        Path t = Files.createDirectories(dir.resolve(name));
        targets.add(t);
        return t;
    }

    static boolean mounted(Path p) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(l -> l.split(" ")[4].equals(p.toString()));
    }

    @Test
    void bindMountShowsTheSourceAndIsWritable() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("a"), "hello");
        Path t = target("t");
        mounter.mountAll(List.of(new Mount("bind", src.toString(), List.of("rw", "rbind"))), t);
        assertTrue(mounted(t));
        assertEquals("hello", Files.readString(t.resolve("a")));
        Files.writeString(t.resolve("b"), "x");
        assertEquals("x", Files.readString(src.resolve("b")));
        mounter.unmountAll(t, false);
        assertFalse(mounted(t));
        assertFalse(Files.exists(t.resolve("a")));
    }

    @Test
    void readOnlyBindIsRemountedReadOnly() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path t = target("t");
        mounter.mountAll(List.of(new Mount("bind", src.toString(), List.of("ro", "rbind"))), t);
        FileSystemException e = assertThrows(FileSystemException.class, () -> Files.writeString(t.resolve("x"), "x"));
        assertTrue(e.getMessage().contains("Read-only file system") || e instanceof AccessDeniedException, e.toString());
    }

    @Test
    void overlayMergesLowerDirsNearestFirst() throws Exception {
        Path l1 = Files.createDirectories(dir.resolve("l1"));
        Path l2 = Files.createDirectories(dir.resolve("l2"));
        Files.writeString(l1.resolve("f"), "bottom");
        Files.writeString(l1.resolve("only1"), "1");
        Files.writeString(l2.resolve("f"), "top");
        Path upper = Files.createDirectories(dir.resolve("upper"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Path t = target("merged");
        mounter.mountAll(List.of(new Mount("overlay", "overlay", List.of("workdir=" + work, "upperdir=" + upper,
                "lowerdir=" + l2 + ":" + l1))), t);
        assertEquals("top", Files.readString(t.resolve("f")));
        assertEquals("1", Files.readString(t.resolve("only1")));
        Files.writeString(t.resolve("new"), "n");
        assertEquals("n", Files.readString(upper.resolve("new")));
    }

    @Test
    void overlayWithMoreLowerDirsThanFitInAPageMountsFromTheirParent() throws Exception {
        // long directory names so that 60 layers take more than a page of options
        Path snapshots = Files.createDirectories(dir.resolve("snapshots-" + "x".repeat(60)));
        List<String> lowers = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            Path fs = Files.createDirectories(snapshots.resolve(String.valueOf(i)).resolve("fs"));
            Files.writeString(fs.resolve("layer" + i), String.valueOf(i));
            lowers.add(0, fs.toString());
        }
        String lowerdir = "lowerdir=" + String.join(":", lowers);
        assertTrue(lowerdir.length() > 4096, "the test needs options longer than a page");
        Path t = target("merged");
        mounter.mountAll(List.of(new Mount("overlay", "overlay", List.of(lowerdir))), t);
        assertEquals("1", Files.readString(t.resolve("layer1")));
        assertEquals("60", Files.readString(t.resolve("layer60")));
        assertEquals(System.getProperty("user.dir"), Path.of("").toAbsolutePath().toString());
        assertTrue(Files.isSameFile(Path.of("."), Path.of(System.getProperty("user.dir"))),
                "the process's working directory is unchanged");
    }

    @Test
    void failuresCarryTheErrnoText() throws Exception {
        Path t = target("t");
        ContainerdException e = assertThrows(ContainerdException.class, () -> mounter.mountAll(
                List.of(new Mount("bind", dir.resolve("missing").toString(), List.of("rbind"))), t));
        assertTrue(e.getMessage().endsWith(": no such file or directory"), e.getMessage());
        ContainerdException bad = assertThrows(ContainerdException.class, () -> mounter.mountAll(
                List.of(new Mount("overlay", "overlay", List.of("lowerdir=" + dir.resolve("nope")))), t));
        assertTrue(bad.getMessage().startsWith("mount overlay overlay on " + t + ": "), bad.getMessage());
        assertFalse(mounted(t));
    }

    @Test
    void unmountAllOfANonMountOrMissingPathIsANoOp() throws Exception {
        mounter.unmountAll(target("plain"), false);
        mounter.unmountAll(dir.resolve("missing"), false);
    }

    @Test
    void mountAllUndoesEarlierMountsWhenALaterOneFails() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path t = target("t");
        assertThrows(ContainerdException.class, () -> mounter.mountAll(List.of(
                new Mount("bind", src.toString(), List.of("rbind")),
                new Mount("bind", dir.resolve("missing").toString(), List.of("rbind"))), t));
        assertFalse(mounted(t));
    }
}
