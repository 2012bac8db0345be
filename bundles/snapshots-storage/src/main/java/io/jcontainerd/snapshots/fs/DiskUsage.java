package io.jcontainerd.snapshots.fs;

import io.jcontainerd.snapshots.Usage;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * The disk a directory tree takes (containerd's {@code fs.DiskUsage}): allocated blocks of each distinct
 * inode (so hard links count once), and the number of those inodes, the root included.
 */
public final class DiskUsage {
    private DiskUsage() {
    }

    private record Inode(long dev, long ino) {
    }

    public static Usage of(Path root) throws IOException {
        Posix.lstat(root); // a missing root fails with lstat's words, as containerd's walk does
        Set<Inode> seen = new HashSet<>();
        long[] size = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                count(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                count(file);
                return FileVisitResult.CONTINUE;
            }

            private void count(Path p) throws IOException {
                FileStat st = Posix.lstat(p);
                if (seen.add(new Inode(st.dev(), st.ino()))) {
                    size[0] += st.blocks() * 512;
                }
            }
        });
        return new Usage(size[0], seen.size());
    }
}
