package io.jcontainerd.differ.walking;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/** The few C library calls Java's file API lacks (device nodes, owners and times of links, xattrs). */
interface Libc extends Library {
    Libc C = Native.load("c", Libc.class);

    int AT_FDCWD = -100;
    int AT_SYMLINK_NOFOLLOW = 0x100;
    int ENODATA = 61;
    int ENOTSUP = 95;
    int EPERM = 1;
    int EEXIST = 17;
    int ERANGE = 34;

    int mknod(String path, int mode, long dev) throws LastErrorException;

    int lchown(String path, int uid, int gid) throws LastErrorException;

    int chmod(String path, int mode) throws LastErrorException;

    int symlink(String target, String linkpath) throws LastErrorException;

    /** {@code times} is two {@code struct timespec} (atime, mtime) as four longs. */
    int utimensat(int dirfd, String path, long[] times, int flags) throws LastErrorException;

    int lsetxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

    long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;

    long llistxattr(String path, byte[] list, long size) throws LastErrorException;
}
