package io.jcontainerd.mount.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/** The C library calls the mounter makes; each fails with the call's errno. */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int EBUSY = 16;
    int EINVAL = 22;
    int ENOENT = 2;

    int CLONE_FS = 0x200;

    int mount(String source, String target, String fstype, long flags, String data) throws LastErrorException;

    int umount2(String target, int flags) throws LastErrorException;

    /** Gives the calling thread its own working directory, so a chdir affects no other thread. */
    int unshare(int flags) throws LastErrorException;

    int chdir(String path) throws LastErrorException;

    String strerror(int errnum);

    int getpagesize();

    /** The error text as Go prints it (lower case first letter), so messages read as containerd's. */
    static String errorText(int errno) {
        String s = INSTANCE.strerror(errno);
        if (s == null || s.isEmpty()) {
            return "errno " + errno;
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
