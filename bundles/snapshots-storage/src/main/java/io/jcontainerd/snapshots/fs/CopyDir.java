package io.jcontainerd.snapshots.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Copies a directory tree keeping what a root file system needs (containerd's {@code fs.CopyDir}):
 * owners, modes (setuid, setgid and sticky included), access and modification times, symlinks as
 * links, hard links within the tree as hard links, extended attributes, device nodes, fifos and
 * sockets. Extended attributes the destination refuses are skipped, as containerd's native
 * snapshotter does.
 */
public final class CopyDir {
    private final Map<Long, Path> linked = new HashMap<>();

    private CopyDir() {
    }

    /** Copies the contents of {@code src} into {@code dst} (created if missing) and its metadata onto it. */
    public static void copy(Path dst, Path src) throws IOException {
        new CopyDir().directory(dst, src);
    }

    private void directory(Path dst, Path src) throws IOException {
        FileStat st = Posix.lstat(src);
        if (!st.isDirectory()) {
            throw new IOException("source " + src + " is not directory");
        }
        if (!Files.exists(dst, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(dst);
        } else if (!Files.isDirectory(dst, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("cannot copy to non-directory: " + dst);
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(src)) {
            entries = s.sorted().toList();
        }
        for (Path source : entries) {
            Path target = dst.resolve(source.getFileName().toString());
            FileStat fs = Posix.lstat(source);
            switch (fs.type()) {
                case FileStat.S_IFDIR -> {
                    directory(target, source);
                    continue;
                }
                case FileStat.S_IFREG -> {
                    Path first = fs.nlink() > 1 ? linked.putIfAbsent(fs.ino(), target) : null;
                    if (first != null) {
                        Files.createLink(target, first);
                        continue; // the first link carries the inode's metadata
                    }
                    copyContent(target, source);
                }
                case FileStat.S_IFLNK -> Files.createSymbolicLink(target, Files.readSymbolicLink(source));
                case FileStat.S_IFCHR, FileStat.S_IFBLK, FileStat.S_IFIFO, FileStat.S_IFSOCK ->
                        Posix.mknod(target, fs.mode(), fs.type() == FileStat.S_IFCHR || fs.type() == FileStat.S_IFBLK
                                ? fs.rdev() : 0);
                default -> {
                    continue; // unknown type: skipped, as containerd warns and goes on
                }
            }
            metadata(target, source, fs);
        }
        // last, so that creating the entries does not change the times again
        metadata(dst, src, st);
    }

    private static void copyContent(Path target, Path source) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            long done = 0;
            while (done < size) {
                long n = in.transferTo(done, size - done, out);
                if (n <= 0) {
                    break;
                }
                done += n;
            }
        }
    }

    private static void metadata(Path target, Path source, FileStat st) throws IOException {
        try {
            Posix.lchown(target, st.uid(), st.gid());
        } catch (IOException e) {
            FileStat now = Posix.lstat(target);
            if (now.uid() != st.uid() || now.gid() != st.gid()) {
                throw e;
            }
        }
        if (st.type() != FileStat.S_IFLNK) {
            Posix.chmod(target, st.permissions());
        }
        for (String name : Posix.listXattrs(source)) {
            byte[] value = Posix.getXattr(source, name);
            if (value == null) {
                continue;
            }
            try {
                Posix.setXattr(target, name, value);
            } catch (IOException e) {
                // containerd's native snapshotter ignores xattrs the destination does not take
            }
        }
        Posix.lutimes(target, st.atime(), st.mtime());
    }
}
