package io.jcontainerd.differ.walking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.differ.walking.LayerApplier.Whiteouts;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerApplierTest {
    @TempDir
    Path tmp;

    static void apply(Path root, byte[] tar) throws IOException {
        new LayerApplier(root, Whiteouts.REMOVE, List.of()).apply(new ByteArrayInputStream(tar));
    }

    @Test
    void allEntryTypesWithOwnersModesTimesAndXattrs() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        FileTime dirTime = FileTime.fromMillis(1_500_000_000_000L);
        byte[] tar = new TarBuilder().owner(1000, 1001).mtime(dirTime)
                .dir("d", 0750)
                .mtime(TarBuilder.T0)
                .file("d/f", "hello", 0640, Map.of("SCHILY.xattr.user.note", "n1"))
                .file("d/suid", "x", 04755)
                .dir("sticky", 01777)
                .symlink("d/abs", "/etc//passwd/")
                .symlink("d/rel", "../sticky")
                .link("d/hard", "d/f", 0640)
                .device("dev/null", TarConstants.LF_CHR, 0666, 1, 3)
                .device("dev/loop9", TarConstants.LF_BLK, 0660, 7, 9)
                .device("dev/big", TarConstants.LF_CHR, 0600, 300, 70000)
                .fifo("dev/fifo", 0620)
                .build();
        apply(root, tar);

        Map<String, Object> d = PosixFiles.lstat(root.resolve("d"));
        assertEquals(PosixFiles.S_IFDIR | 0750, d.get("mode"));
        assertEquals(1000, d.get("uid"));
        assertEquals(1001, d.get("gid"));
        assertEquals(dirTime, d.get("lastModifiedTime"), "directory times are set after their content");

        Path f = root.resolve("d/f");
        assertEquals("hello", Files.readString(f));
        assertEquals(PosixFiles.S_IFREG | 0640, Trees.mode(f));
        assertEquals(TarBuilder.T0, Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS));
        assertArrayEquals("n1".getBytes(StandardCharsets.UTF_8), PosixFiles.lgetxattr(f, "user.note"));
        assertEquals(PosixFiles.S_IFREG | 04755, Trees.mode(root.resolve("d/suid")));
        assertEquals(PosixFiles.S_IFDIR | 01777, Trees.mode(root.resolve("sticky")));
        assertEquals("/etc//passwd/", PosixFiles.readlink(root.resolve("d/abs")), "symlink targets are kept verbatim");
        assertEquals("../sticky", PosixFiles.readlink(root.resolve("d/rel")));
        assertEquals(1000, PosixFiles.lstat(root.resolve("d/abs")).get("uid"), "symlinks are lchown'ed");
        assertEquals(PosixFiles.lstat(f).get("ino"), PosixFiles.lstat(root.resolve("d/hard")).get("ino"));

        Map<String, Object> nul = PosixFiles.lstat(root.resolve("dev/null"));
        assertEquals(PosixFiles.S_IFCHR | 0666, nul.get("mode"));
        assertEquals(PosixFiles.makedev(1, 3), nul.get("rdev"));
        Map<String, Object> loop = PosixFiles.lstat(root.resolve("dev/loop9"));
        assertEquals(PosixFiles.S_IFBLK | 0660, loop.get("mode"));
        assertEquals(PosixFiles.makedev(7, 9), loop.get("rdev"));
        long big = (Long) PosixFiles.lstat(root.resolve("dev/big")).get("rdev");
        assertEquals(300, PosixFiles.major(big));
        assertEquals(70000, PosixFiles.minor(big));
        assertEquals(PosixFiles.S_IFIFO | 0620, Trees.mode(root.resolve("dev/fifo")));
        Map<String, Object> dev = PosixFiles.lstat(root.resolve("dev"));
        assertEquals(PosixFiles.S_IFDIR | 0755, dev.get("mode"), "missing parents are created 0755");
        assertEquals(0, dev.get("uid"));
    }

    @Test
    void entriesReplaceWhatIsThereAndDirectoriesMerge() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.createDirectories(root.resolve("wasdir/child"));
        Files.writeString(root.resolve("wasfile"), "old");
        Files.createDirectories(root.resolve("keep"));
        Files.writeString(root.resolve("keep/old"), "kept");
        Files.writeString(root.resolve("over"), "old");
        apply(root, new TarBuilder()
                .file("wasdir", "now a file", 0644)
                .dir("wasfile", 0700)
                .dir("keep", 0711)
                .file("keep/new", "n", 0644)
                .file("over", "new content", 0600)
                .file("./dot/slash", "x", 0644)
                .build());
        assertEquals("now a file", Files.readString(root.resolve("wasdir")));
        assertTrue(Files.isDirectory(root.resolve("wasfile")));
        assertEquals("kept", Files.readString(root.resolve("keep/old")));
        assertEquals("n", Files.readString(root.resolve("keep/new")));
        assertEquals(PosixFiles.S_IFDIR | 0711, Trees.mode(root.resolve("keep")));
        assertEquals("new content", Files.readString(root.resolve("over")));
        assertEquals("x", Files.readString(root.resolve("dot/slash")));
    }

    @Test
    void whiteoutsRemoveFilesAndOpaqueMarkersEmptyDirectories() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.createDirectories(root.resolve("gone/sub"));
        Files.writeString(root.resolve("gone/sub/f"), "x");
        Files.writeString(root.resolve("file"), "x");
        Files.createDirectories(root.resolve("opq/old/deeper"));
        Files.writeString(root.resolve("opq/oldfile"), "x");
        Files.writeString(root.resolve("stay"), "x");
        apply(root, new TarBuilder()
                .file(".wh.gone", "", 0644)
                .file(".wh.file", "", 0644)
                .dir("opq", 0755)
                .file("opq/before", "b", 0644)
                .file("opq/.wh..wh..opq", "", 0644)
                .file("opq/after", "a", 0644)
                .build());
        assertFalse(Files.exists(root.resolve("gone")));
        assertFalse(Files.exists(root.resolve("file")));
        assertTrue(Files.exists(root.resolve("stay")));
        assertEquals(List.of("after", "before"), list(root.resolve("opq")));
        assertFalse(Files.exists(root.resolve(".wh.file")), "whiteout files themselves are not written");
    }

    @Test
    void overlayWhiteoutsBecomeCharDevicesAndOpaqueXattrsAndParentsCopyLowerAttributes() throws IOException {
        Path lower = Files.createDirectory(tmp.resolve("lower"));
        Path upper = Files.createDirectory(tmp.resolve("upper"));
        Path p = Files.createDirectories(lower.resolve("p/q"));
        PosixFiles.chmod(lower.resolve("p"), 0710);
        PosixFiles.lchown(lower.resolve("p"), 5, 6);
        PosixFiles.lsetxattr(lower.resolve("p"), "user.inherit", "me".getBytes(StandardCharsets.UTF_8));
        PosixFiles.lutimes(lower.resolve("p"), TarBuilder.T0, TarBuilder.T0);
        Files.writeString(p.resolve("f"), "lower");
        new LayerApplier(upper, Whiteouts.OVERLAY, List.of(lower)).apply(new ByteArrayInputStream(new TarBuilder()
                .owner(7, 8)
                .file("p/.wh.gone", "", 0644)
                .file("o/.wh..wh..opq", "", 0644)
                .file("p/q/new", "n", 0644)
                .build()));
        Map<String, Object> wh = PosixFiles.lstat(upper.resolve("p/gone"));
        assertEquals(PosixFiles.S_IFCHR, ((Integer) wh.get("mode")) & PosixFiles.S_IFMT);
        assertEquals(0L, wh.get("rdev"));
        assertEquals(7, wh.get("uid"));
        assertEquals(8, wh.get("gid"));
        assertArrayEquals(new byte[] {'y'}, PosixFiles.lgetxattr(upper.resolve("o"), "trusted.overlay.opaque"));
        Map<String, Object> up = PosixFiles.lstat(upper.resolve("p"));
        assertEquals(PosixFiles.S_IFDIR | 0710, up.get("mode"), "parent mode copied from the lower layer");
        assertEquals(5, up.get("uid"));
        assertEquals(6, up.get("gid"));
        assertArrayEquals("me".getBytes(StandardCharsets.UTF_8), PosixFiles.lgetxattr(upper.resolve("p"), "user.inherit"));
        assertEquals("n", Files.readString(upper.resolve("p/q/new")));
        assertFalse(Files.exists(upper.resolve("p/q/f")), "lower content is not copied up");
        assertEquals("lower", Files.readString(p.resolve("f")), "the lower layer is untouched");
    }

    @Test
    void symlinksInsideTheRootAreFollowedForParents() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        apply(root, new TarBuilder()
                .dir("usr/lib", 0755)
                .symlink("lib", "usr/lib")
                .symlink("usr/lib64", "../usr/./lib")
                .file("lib/a", "a", 0644)
                .file("usr/lib64/b", "b", 0644)
                .link("hl", "lib/a")
                .build());
        assertEquals("a", Files.readString(root.resolve("usr/lib/a")));
        assertEquals("b", Files.readString(root.resolve("usr/lib/b")));
        assertTrue(Files.isSymbolicLink(root.resolve("lib")));
        assertEquals(PosixFiles.lstat(root.resolve("usr/lib/a")).get("ino"), PosixFiles.lstat(root.resolve("hl")).get("ino"));
    }

    @Test
    void aFileReplacesASymlinkInsteadOfWritingThroughIt() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path victim = Files.writeString(tmp.resolve("victim"), "safe");
        Files.createSymbolicLink(root.resolve("f"), victim);
        apply(root, new TarBuilder().file("f", "evil", 0644).build());
        assertEquals("safe", Files.readString(victim));
        assertEquals("evil", Files.readString(root.resolve("f")));
        assertFalse(Files.isSymbolicLink(root.resolve("f")));
    }

    @Test
    void paxGlobalHeadersAreIgnored() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        byte[] tar = new TarBuilder().globalHeader("comment", "abc123").file("f", "x", 0644).build();
        assertEquals('g', tar[156], "the layer starts with a global header");
        apply(root, tar);
        assertEquals(List.of("f"), list(root));
    }

    static List<String> list(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
