package io.jcontainerd.differ.walking;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.mount.Mounter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal mount(2)-based Mounter for the tests (the real Mounter bundle is built on another
 * branch): enough for overlay and bind mounts with ro.
 */
final class SyscallMounter implements Mounter {
    interface C extends Library {
        C LIBC = Native.load("c", C.class);

        int mount(String source, String target, String type, long flags, String data) throws LastErrorException;

        int umount2(String target, int flags) throws LastErrorException;
    }

    private static final long MS_RDONLY = 1;
    private static final long MS_BIND = 4096;
    private static final long MS_REC = 16384;
    private static final int MNT_DETACH = 2;
    private static final int EINVAL = 22;

    @Override
    public void mountAll(List<Mount> mounts, Path target) {
        for (Mount m : mounts) {
            long flags = 0;
            List<String> data = new ArrayList<>();
            for (String o : m.options()) {
                switch (o) {
                    case "ro" -> flags |= MS_RDONLY;
                    case "rw" -> { }
                    case "bind" -> flags |= MS_BIND;
                    case "rbind" -> flags |= MS_BIND | MS_REC;
                    default -> data.add(o);
                }
            }
            try {
                C.LIBC.mount(m.source(), target.toString(), m.type(), flags, String.join(",", data));
                if ((flags & MS_BIND) != 0 && (flags & MS_RDONLY) != 0) {
                    C.LIBC.mount("", target.toString(), "", flags | 32 /* MS_REMOUNT */, "");
                }
            } catch (LastErrorException e) {
                throw new ContainerdException(ErrorCode.UNKNOWN, "mount " + m + ": " + e.getMessage());
            }
        }
    }

    @Override
    public void unmountAll(Path target, boolean detach) {
        while (true) {
            try {
                C.LIBC.umount2(target.toString(), detach ? MNT_DETACH : 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EINVAL) {
                    return;
                }
                throw new ContainerdException(ErrorCode.UNKNOWN, "unmount " + target + ": " + e.getMessage());
            }
        }
    }
}
