package io.jcontainerd.differ.walking;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What the change walk needs of one {@code lstat}.
 *
 * @param path  the path relative to the walked root, with a leading {@code /} (continuity's form)
 * @param full  the absolute path
 */
record FileStat(String path, Path full, int mode, int uid, int gid, long rdev, long ino, long dev, int nlink,
        long size, FileTime mtime) {

    static FileStat of(String path, Path full) throws IOException {
        Map<String, Object> a = PosixFiles.lstat(full);
        return new FileStat(path, full, (Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"),
                (Long) a.get("rdev"), (Long) a.get("ino"), (Long) a.get("dev"), (Integer) a.get("nlink"),
                (Long) a.get("size"), (FileTime) a.get("lastModifiedTime"));
    }

    int type() {
        return mode & PosixFiles.S_IFMT;
    }

    boolean isDir() {
        return type() == PosixFiles.S_IFDIR;
    }

    boolean isSymlink() {
        return type() == PosixFiles.S_IFLNK;
    }

    boolean isRegular() {
        return type() == PosixFiles.S_IFREG;
    }

    /** A non-directory with more than one name: it must be written once and linked to. */
    boolean isHardlinked() {
        return !isDir() && nlink > 1;
    }
}
