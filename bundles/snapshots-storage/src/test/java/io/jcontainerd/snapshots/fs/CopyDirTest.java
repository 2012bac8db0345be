package io.jcontainerd.snapshots.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.snapshots.Usage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real files in a temporary directory, as root (owners and device nodes need it). */
class CopyDirTest {
    @TempDir
    Path dir;

    @Test
    void copyKeepsWhatARootFileSystemNeeds() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path sub = Files.createDirectories(src.resolve("etc"));
        Path file = Files.writeString(sub.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        Posix.lchown(file, 1234, 5678);
        Path suid = Files.writeString(src.resolve("su"), "#!");
        Posix.chmod(suid, 04755);
        Posix.chmod(sub, 01777);
        Files.createLink(src.resolve("hard"), file);
        Files.createSymbolicLink(src.resolve("link"), Path.of("etc/passwd"));
        Files.createSymbolicLink(src.resolve("dangling"), Path.of("/nowhere"));
        Posix.mknod(src.resolve("null"), FileStat.S_IFCHR | 0666, Posix.makedev(1, 3));
        Posix.mknod(src.resolve("fifo"), FileStat.S_IFIFO | 0600, 0);
        Posix.setXattr(file, "user.test", "value".getBytes(StandardCharsets.UTF_8));
        Instant old = Instant.parse("2001-02-03T04:05:06.123456789Z");
        Posix.lutimes(file, old, old);
        Posix.lutimes(sub, old, old);

        Path dst = dir.resolve("dst");
        CopyDir.copy(dst, src);

        FileStat f = Posix.lstat(dst.resolve("etc/passwd"));
        assertEquals(1234, f.uid());
        assertEquals(5678, f.gid());
        assertEquals(old, f.mtime());
        assertEquals("root:x:0:0::/root:/bin/sh\n", Files.readString(dst.resolve("etc/passwd")));
        assertArrayEquals("value".getBytes(StandardCharsets.UTF_8), Posix.getXattr(dst.resolve("etc/passwd"), "user.test"));
        assertEquals(List.of("user.test"), Posix.listXattrs(dst.resolve("etc/passwd")));
        assertEquals(01777, Posix.lstat(dst.resolve("etc")).permissions());
        assertEquals(old, Posix.lstat(dst.resolve("etc")).mtime(), "directory times are set after its entries");
        assertEquals(04755, Posix.lstat(dst.resolve("su")).permissions());
        FileStat hard = Posix.lstat(dst.resolve("hard"));
        assertEquals(f.ino(), hard.ino(), "hard links stay linked");
        assertEquals(2, hard.nlink());
        assertEquals(Path.of("etc/passwd"), Files.readSymbolicLink(dst.resolve("link")));
        assertEquals(Path.of("/nowhere"), Files.readSymbolicLink(dst.resolve("dangling")));
        FileStat dev = Posix.lstat(dst.resolve("null"));
        assertEquals(FileStat.S_IFCHR, dev.type());
        assertEquals(Posix.makedev(1, 3), dev.rdev());
        assertEquals(FileStat.S_IFIFO, Posix.lstat(dst.resolve("fifo")).type());
        assertTrue(Posix.lstat(src.resolve("etc/passwd")).ino() != f.ino(), "a copy, not the same files");
    }

    @Test
    void diskUsageCountsEachInodeOnceWithTheRoot() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path a = Files.write(root.resolve("a"), new byte[10_000]);
        Files.createLink(root.resolve("b"), a);
        Files.createDirectories(root.resolve("d"));
        Usage u = DiskUsage.of(root);
        assertEquals(3, u.inodes());
        long expected = Posix.lstat(root).blocks() * 512 + Posix.lstat(a).blocks() * 512
                + Posix.lstat(root.resolve("d")).blocks() * 512;
        assertEquals(expected, u.size());
        assertTrue(u.size() >= 10_000);
    }

    @Test
    void theTestDirectoryReportsEntryTypes() throws Exception {
        Files.createFile(dir.resolve("x"));
        assertTrue(Posix.reportsEntryTypes(dir));
    }
}
