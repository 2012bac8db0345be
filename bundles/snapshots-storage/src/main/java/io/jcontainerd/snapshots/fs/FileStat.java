package io.jcontainerd.snapshots.fs;

import java.time.Instant;

/**
 * What lstat tells of a file.
 *
 * @param mode   type and permission bits ({@code st_mode})
 * @param uid    owner
 * @param gid    group
 * @param dev    device of the file system holding it
 * @param ino    inode number
 * @param nlink  hard links
 * @param rdev   the device a device node stands for
 * @param size   length in bytes
 * @param blocks 512-byte blocks allocated
 * @param atime  last access
 * @param mtime  last modification
 */
public record FileStat(int mode, int uid, int gid, long dev, long ino, int nlink, long rdev, long size, long blocks,
        Instant atime, Instant mtime) {
    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFIFO = 0010000;
    public static final int S_IFSOCK = 0140000;

    public int type() {
        return mode & S_IFMT;
    }

    /** Permission bits with setuid, setgid and sticky. */
    public int permissions() {
        return mode & 07777;
    }

    public boolean isDirectory() {
        return type() == S_IFDIR;
    }
}
