package io.jcontainerd.differ.walking;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * File operations on paths that never follow a final symlink (lchown, utimensat with
 * AT_SYMLINK_NOFOLLOW, l*xattr), mode setting with setuid/setgid/sticky bits, and device nodes.
 * Errors become {@link IOException}s naming the call, the path and errno.
 */
final class PosixFiles {
    static final int S_IFMT = 0170000;
    static final int S_IFSOCK = 0140000;
    static final int S_IFLNK = 0120000;
    static final int S_IFREG = 0100000;
    static final int S_IFBLK = 0060000;
    static final int S_IFDIR = 0040000;
    static final int S_IFCHR = 0020000;
    static final int S_IFIFO = 0010000;

    private PosixFiles() {
    }

    /** An errno-carrying failure of a C library call. */
    static final class ErrnoException extends IOException {
        private static final long serialVersionUID = 1L;
        final int errno;

        ErrnoException(String call, Path path, LastErrorException e) {
            super(call + " " + path + ": " + strerror(e), e);
            this.errno = e.getErrorCode();
        }

        private static String strerror(LastErrorException e) {
            String m = e.getMessage();
            int i = m == null ? -1 : m.indexOf("] ");
            return i >= 0 ? m.substring(i + 2) : String.valueOf(m);
        }
    }

    static void mknod(Path path, int mode, long dev) throws IOException {
        try {
            Libc.C.mknod(path.toString(), mode, dev);
        } catch (LastErrorException e) {
            throw new ErrnoException("mknod", path, e);
        }
    }

    static void lchown(Path path, long uid, long gid) throws IOException {
        try {
            Libc.C.lchown(path.toString(), (int) uid, (int) gid);
        } catch (LastErrorException e) {
            throw new ErrnoException("lchown", path, e);
        }
    }

    /** chmod with all 12 permission bits; never call it on a symlink (Linux follows them). */
    static void chmod(Path path, int mode) throws IOException {
        try {
            Libc.C.chmod(path.toString(), mode & 07777);
        } catch (LastErrorException e) {
            throw new ErrnoException("chmod", path, e);
        }
    }

    /** Creates a symlink holding {@code target} byte for byte (Java's Path would normalise it). */
    static void symlink(String target, Path link) throws IOException {
        try {
            Libc.C.symlink(target, link.toString());
        } catch (LastErrorException e) {
            throw new ErrnoException("symlink", link, e);
        }
    }

    static void lutimes(Path path, FileTime atime, FileTime mtime) throws IOException {
        long[] ts = {secs(atime), nanos(atime), secs(mtime), nanos(mtime)};
        try {
            Libc.C.utimensat(Libc.AT_FDCWD, path.toString(), ts, Libc.AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            throw new ErrnoException("utimensat", path, e);
        }
    }

    private static long secs(FileTime t) {
        return t.toInstant().getEpochSecond();
    }

    private static long nanos(FileTime t) {
        return t.toInstant().getNano();
    }

    static void lsetxattr(Path path, String name, byte[] value) throws IOException {
        try {
            Libc.C.lsetxattr(path.toString(), name, value, value.length, 0);
        } catch (LastErrorException e) {
            throw new ErrnoException("lsetxattr " + name, path, e);
        }
    }

    /** The value of xattr {@code name}, or {@code null} when absent or unsupported. */
    static byte[] lgetxattr(Path path, String name) throws IOException {
        for (int size = 256;; size *= 4) {
            byte[] buf = new byte[size];
            try {
                long n = Libc.C.lgetxattr(path.toString(), name, buf, buf.length);
                return java.util.Arrays.copyOf(buf, (int) n);
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == Libc.ENODATA || errno == Libc.ENOTSUP) {
                    return null;
                }
                if (errno != Libc.ERANGE || size > (1 << 20)) {
                    throw new ErrnoException("lgetxattr " + name, path, e);
                }
            }
        }
    }

    /** The names of the xattrs of {@code path} (empty when unsupported). */
    static List<String> llistxattr(Path path) throws IOException {
        for (int size = 1024;; size *= 4) {
            byte[] buf = new byte[size];
            long n;
            try {
                n = Libc.C.llistxattr(path.toString(), buf, buf.length);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Libc.ENOTSUP) {
                    return List.of();
                }
                if (e.getErrorCode() != Libc.ERANGE || size > (1 << 20)) {
                    throw new ErrnoException("llistxattr", path, e);
                }
                continue;
            }
            List<String> names = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == 0) {
                    if (i > start) {
                        names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
                    }
                    start = i + 1;
                }
            }
            return names;
        }
    }

    /** The raw target of a symlink. */
    static String readlink(Path path) throws IOException {
        return Files.readSymbolicLink(path).toString();
    }

    /** lstat through Java's unix attribute view: mode, uid, gid, rdev, ino, nlink, size, times. */
    static Map<String, Object> lstat(Path path) throws IOException {
        return Files.readAttributes(path, "unix:mode,uid,gid,rdev,ino,dev,nlink,size,lastModifiedTime,lastAccessTime",
                LinkOption.NOFOLLOW_LINKS);
    }

    /** glibc's makedev. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    static long major(long dev) {
        return ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL);
    }

    static long minor(long dev) {
        return (dev & 0xffL) | ((dev >>> 12) & ~0xffL);
    }
}
