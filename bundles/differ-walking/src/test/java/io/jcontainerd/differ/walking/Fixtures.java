package io.jcontainerd.differ.walking;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Trees on disk for the tests, and running GNU tar. */
final class Fixtures {
    static final FileTime T1 = FileTime.from(Instant.parse("2021-05-06T07:08:09Z"));
    static final FileTime T2 = FileTime.from(Instant.parse("2022-06-07T08:09:10.123456789Z"));

    /** A valid VFS_CAP_REVISION_2 value granting CAP_SETUID (bit 7: a byte that is not UTF-8). */
    static final byte[] CAP_SETUID = {0x01, 0, 0, 0x02, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    private Fixtures() {
    }

    /** The base tree: files, links, devices, owners, modes, a deep directory. */
    static void lower(Path r) throws IOException {
        Files.createDirectories(r.resolve("etc"));
        Files.writeString(r.resolve("etc/passwd"), "root:x:0:0\n");
        Files.writeString(r.resolve("etc/hosts"), "127.0.0.1 localhost\n");
        Files.writeString(r.resolve("etc/unchanged"), "same");
        Files.createDirectories(r.resolve("bin"));
        Files.writeString(r.resolve("bin/busybox"), "ELF...");
        PosixFiles.chmod(r.resolve("bin/busybox"), 0755);
        Files.createLink(r.resolve("bin/sh"), r.resolve("bin/busybox"));
        PosixFiles.symlink("busybox", r.resolve("bin/ls"));
        Files.createDirectories(r.resolve("gone/deeper/still"));
        Files.writeString(r.resolve("gone/deeper/still/f"), "x");
        Files.writeString(r.resolve("gone/f2"), "y");
        Files.writeString(r.resolve("rmfile"), "bye");
        Files.createDirectories(r.resolve("dev"));
        PosixFiles.mknod(r.resolve("dev/null"), PosixFiles.S_IFCHR | 0666, PosixFiles.makedev(1, 3));
        Files.createDirectories(r.resolve("home/user"));
        PosixFiles.lchown(r.resolve("home/user"), 1000, 1000);
        Files.writeString(r.resolve("home/user/.profile"), "export A=1\n");
        PosixFiles.lchown(r.resolve("home/user/.profile"), 1000, 1000);
        Files.writeString(r.resolve("chmodme"), "m");
        Files.createDirectories(r.resolve("dir2file"));
        Files.writeString(r.resolve("dir2file/inner"), "i");
        Files.writeString(r.resolve("a.b"), "dot");
        Files.createDirectories(r.resolve("a"));
        Files.writeString(r.resolve("a/z"), "z");
        fixTimes(r);
    }

    /** The lower tree changed in every way a layer can express. */
    static void upper(Path r) throws IOException {
        lower(r);
        Files.writeString(r.resolve("etc/hosts"), "127.0.0.1 localhost\n::1 localhost\n"); // modified
        Files.writeString(r.resolve("etc/new"), "added");
        Files.delete(r.resolve("rmfile"));
        Tree.removeAll(r.resolve("gone"));
        PosixFiles.chmod(r.resolve("chmodme"), 04711);
        Tree.removeAll(r.resolve("dir2file"));
        Files.writeString(r.resolve("dir2file"), "now a file");
        Files.delete(r.resolve("bin/ls"));
        PosixFiles.symlink("/bin/busybox", r.resolve("bin/ls")); // retargeted
        Files.createLink(r.resolve("bin/cat"), r.resolve("bin/busybox")); // a new name for an unchanged inode
        Files.createDirectories(r.resolve("new/sub/dir"));
        Files.writeString(r.resolve("new/sub/dir/file"), "deep");
        Files.writeString(r.resolve("new/big"), "b".repeat(300_000));
        Files.writeString(r.resolve("new/" + "long-name-".repeat(12)), "long");
        Files.writeString(r.resolve("new/ünïcødé"), "u");
        PosixFiles.mknod(r.resolve("dev/fifo"), PosixFiles.S_IFIFO | 0600, 0);
        PosixFiles.mknod(r.resolve("dev/sda"), PosixFiles.S_IFBLK | 0660, PosixFiles.makedev(8, 0));
        Files.writeString(r.resolve("new/ping"), "ping");
        PosixFiles.lsetxattr(r.resolve("new/ping"), "security.capability", CAP_SETUID);
        Files.writeString(r.resolve("home/user/.profile"), "export A=2\n");
        PosixFiles.lchown(r.resolve("home/user/.profile"), 1000, 1000);
        Files.writeString(r.resolve("a/z"), "zz");
        fixTimes(r);
        Files.setLastModifiedTime(r.resolve("new/big"), T2);
    }

    /** Fixed times everywhere, so that trees built twice compare equal. */
    static void fixTimes(Path r) throws IOException {
        List<Path> all;
        try (var s = Files.walk(r)) {
            all = s.toList();
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            PosixFiles.lutimes(all.get(i), T1, T1);
        }
    }

    static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
