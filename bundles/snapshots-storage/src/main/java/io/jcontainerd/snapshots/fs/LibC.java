package io.jcontainerd.snapshots.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The C library calls behind {@link Posix}. */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int AT_FDCWD = -100;
    int AT_SYMLINK_NOFOLLOW = 0x100;
    int STATX_BASIC_STATS = 0x7ff;

    int statx(int dirfd, String path, int flags, int mask, Memory buf) throws LastErrorException;

    int mknod(String path, int mode, long dev) throws LastErrorException;

    int chmod(String path, int mode) throws LastErrorException;

    int lchown(String path, int uid, int gid) throws LastErrorException;

    int utimensat(int dirfd, String path, Memory times, int flags) throws LastErrorException;

    long llistxattr(String path, Memory list, long size) throws LastErrorException;

    long lgetxattr(String path, String name, Memory value, long size) throws LastErrorException;

    int lsetxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

    Pointer opendir(String path) throws LastErrorException;

    // no errno check: readdir leaves errno alone at the end of the directory
    Pointer readdir(Pointer dir);

    int closedir(Pointer dir);

    String strerror(int errnum);
}
