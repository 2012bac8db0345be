package io.jcontainerd.snapshots.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** File calls Java has no API for, through the C library; failures are IOExceptions with errno text. */
public final class Posix {
    private static final int ERANGE = 34;
    private static final int ENODATA = 61;
    private static final int DT_UNKNOWN = 0;
    /** Offset of {@code d_type} in glibc's 64-bit {@code struct dirent}. */
    private static final int DIRENT_TYPE_OFFSET = 18;
    private static final int DIRENT_NAME_OFFSET = 19;

    private Posix() {
    }

    /** lstat, through statx for a layout that is the same on every architecture. */
    public static FileStat lstat(Path path) throws IOException {
        Memory b = new Memory(256);
        b.clear();
        try {
            LibC.INSTANCE.statx(LibC.AT_FDCWD, path.toString(), LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, b);
        } catch (LastErrorException e) {
            throw failure("lstat", path, e);
        }
        long dev = makedev(b.getInt(136), b.getInt(140));
        long rdev = makedev(b.getInt(128), b.getInt(132));
        return new FileStat(b.getShort(28) & 0xffff, b.getInt(20), b.getInt(24), dev, b.getLong(32), b.getInt(16),
                rdev, b.getLong(40), b.getLong(48), time(b, 64), time(b, 112));
    }

    private static Instant time(Memory b, int offset) {
        return Instant.ofEpochSecond(b.getLong(offset), Integer.toUnsignedLong(b.getInt(offset + 8)));
    }

    /** glibc's {@code makedev}. */
    public static long makedev(int major, int minor) {
        long ma = Integer.toUnsignedLong(major);
        long mi = Integer.toUnsignedLong(minor);
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }

    public static void mknod(Path path, int mode, long dev) throws IOException {
        try {
            LibC.INSTANCE.mknod(path.toString(), mode, dev);
        } catch (LastErrorException e) {
            throw failure("mknod", path, e);
        }
    }

    /** chmod with all of {@code mode & 07777} (Java's API drops setuid, setgid and sticky). */
    public static void chmod(Path path, int mode) throws IOException {
        try {
            LibC.INSTANCE.chmod(path.toString(), mode & 07777);
        } catch (LastErrorException e) {
            throw failure("chmod", path, e);
        }
    }

    public static void lchown(Path path, int uid, int gid) throws IOException {
        try {
            LibC.INSTANCE.lchown(path.toString(), uid, gid);
        } catch (LastErrorException e) {
            throw failure("chown", path, e);
        }
    }

    /** Sets access and modification times without following a symlink. */
    public static void lutimes(Path path, Instant atime, Instant mtime) throws IOException {
        Memory t = new Memory(32);
        t.setLong(0, atime.getEpochSecond());
        t.setLong(8, atime.getNano());
        t.setLong(16, mtime.getEpochSecond());
        t.setLong(24, mtime.getNano());
        try {
            LibC.INSTANCE.utimensat(LibC.AT_FDCWD, path.toString(), t, LibC.AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            throw failure("utime", path, e);
        }
    }

    /** The names of the extended attributes of {@code path} (not following a symlink). */
    public static List<String> listXattrs(Path path) throws IOException {
        String p = path.toString();
        while (true) {
            long size;
            try {
                size = LibC.INSTANCE.llistxattr(p, null, 0);
            } catch (LastErrorException e) {
                throw failure("listxattr", path, e);
            }
            if (size <= 0) {
                return List.of();
            }
            Memory buf = new Memory(size);
            long n;
            try {
                n = LibC.INSTANCE.llistxattr(p, buf, size);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ERANGE) {
                    continue; // grew meanwhile
                }
                throw failure("listxattr", path, e);
            }
            List<String> names = new ArrayList<>();
            byte[] all = buf.getByteArray(0, (int) n);
            int start = 0;
            for (int i = 0; i < all.length; i++) {
                if (all[i] == 0) {
                    if (i > start) {
                        names.add(new String(all, start, i - start, StandardCharsets.UTF_8));
                    }
                    start = i + 1;
                }
            }
            return names;
        }
    }

    /** The value of one extended attribute, or {@code null} if it is absent. */
    public static byte[] getXattr(Path path, String name) throws IOException {
        String p = path.toString();
        while (true) {
            long size;
            try {
                size = LibC.INSTANCE.lgetxattr(p, name, null, 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ENODATA) {
                    return null;
                }
                throw failure("getxattr " + name, path, e);
            }
            if (size == 0) {
                return new byte[0];
            }
            Memory buf = new Memory(size);
            try {
                long n = LibC.INSTANCE.lgetxattr(p, name, buf, size);
                return buf.getByteArray(0, (int) n);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != ERANGE) {
                    throw failure("getxattr " + name, path, e);
                }
            }
        }
    }

    public static void setXattr(Path path, String name, byte[] value) throws IOException {
        try {
            LibC.INSTANCE.lsetxattr(path.toString(), name, value, value.length, 0);
        } catch (LastErrorException e) {
            throw failure("setxattr " + name, path, e);
        }
    }

    /**
     * Whether the directory's file system reports entry types in readdir (containerd's
     * {@code fs.SupportsDType}); {@code dir} must hold at least one entry besides "." and "..".
     */
    public static boolean reportsEntryTypes(Path dir) throws IOException {
        Pointer d;
        try {
            d = LibC.INSTANCE.opendir(dir.toString());
        } catch (LastErrorException e) {
            throw failure("opendir", dir, e);
        }
        try {
            int visited = 0;
            while (true) {
                Pointer ent = LibC.INSTANCE.readdir(d);
                if (ent == null) {
                    break;
                }
                String name = ent.getString(DIRENT_NAME_OFFSET);
                if (name.equals(".") || name.equals("..")) {
                    continue;
                }
                visited++;
                if (ent.getByte(DIRENT_TYPE_OFFSET) == DT_UNKNOWN) {
                    return false;
                }
            }
            if (visited == 0) {
                throw new IOException("did not hit any dirent during iteration " + dir);
            }
            return true;
        } finally {
            LibC.INSTANCE.closedir(d);
        }
    }

    /** The error text of an errno as Go prints it. */
    public static String errorText(int errno) {
        String s = LibC.INSTANCE.strerror(errno);
        return s == null || s.isEmpty() ? "errno " + errno : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    private static IOException failure(String op, Path path, LastErrorException e) {
        return new IOException(op + " " + path + ": " + errorText(e.getErrorCode()), e);
    }
}
