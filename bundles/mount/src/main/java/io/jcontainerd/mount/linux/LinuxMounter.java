package io.jcontainerd.mount.linux;

import static io.jcontainerd.mount.linux.MountFlags.MS_BIND;
import static io.jcontainerd.mount.linux.MountFlags.MS_RDONLY;
import static io.jcontainerd.mount.linux.MountFlags.MS_REC;
import static io.jcontainerd.mount.linux.MountFlags.MS_REMOUNT;
import static io.jcontainerd.mount.linux.MountFlags.MS_SILENT;
import static io.jcontainerd.mount.linux.MountFlags.PROPAGATION;

import com.sun.jna.LastErrorException;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.mount.Mounter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Mounts through mount(2) and umount2(2), as containerd's {@code mount/mount_linux.go}: options split
 * into flags and data; propagation changed by a second call; a read-only bind remounted read-only
 * (the kernel ignores MS_RDONLY on the bind itself); overlay options longer than a page made shorter
 * by mounting from the lower directories' common parent.
 */
public final class LinuxMounter implements Mounter {
    /** umount2 flag: detach now, finish when no longer busy. */
    public static final int MNT_DETACH = 2;

    private static final int PAGE_SIZE = pageSize();

    @Override
    public void mountAll(List<Mount> mounts, Path target) {
        List<Mount> done = new ArrayList<>();
        try {
            for (Mount m : mounts) {
                mount(m, target);
                done.add(m);
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < done.size(); i++) {
                try {
                    unmount(target, 0);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Mounts one mount on {@code target}. */
    public void mount(Mount m, Path target) {
        if (m.type().startsWith("fuse.") || m.type().startsWith("fuse3.")) {
            throw Errdefs.notImplemented("mount type %s needs a mount helper, which jcontainerd does not run", m.type());
        }
        String chdir = null;
        List<String> options = m.options();
        if (m.type().equals("overlay") && optionsSize(options) >= PAGE_SIZE - 512) {
            LowerDirs.Compacted c = LowerDirs.compact(options);
            chdir = c.dir();
            options = c.options();
        }
        MountFlags f = MountFlags.parse(options);
        if (f.data().getBytes(StandardCharsets.UTF_8).length > PAGE_SIZE) {
            throw Errdefs.invalidArgument("mount options is too long");
        }
        if (f.loop()) {
            throw Errdefs.notImplemented("loop mounts are not supported");
        }
        long oflags = f.flags() & ~PROPAGATION;
        String t = target.toString();
        if ((f.flags() & MS_REMOUNT) == 0 || !f.data().isEmpty()) {
            if (chdir == null) {
                call("mount " + m.type() + " " + m.source() + " on " + t, () ->
                        LibC.INSTANCE.mount(m.source(), t, m.type(), oflags, f.data()));
            } else {
                mountFrom(chdir, m, t, oflags, f.data());
            }
        }
        if ((f.flags() & PROPAGATION) != 0) {
            long pflags = f.flags() & (PROPAGATION | MS_REC | MS_SILENT);
            call("change propagation of " + t, () -> LibC.INSTANCE.mount("", t, "", pflags, ""));
        }
        if ((oflags & (MS_BIND | MS_RDONLY)) == (MS_BIND | MS_RDONLY)) {
            call("remount " + t + " read-only", () -> LibC.INSTANCE.mount("", t, "", oflags | MS_REMOUNT, ""));
        }
    }

    /**
     * Mounts with relative lower directories from {@code dir}: on a thread of its own whose working
     * directory is unshared from the process, so no other thread sees the chdir.
     */
    private static void mountFrom(String dir, Mount m, String target, long flags, String data) {
        if (!Files.isDirectory(Path.of(dir))) {
            throw new ContainerdException(ErrorCode.UNKNOWN, "failed to mountat: " + dir + " is not dir");
        }
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                call("unshare working directory", () -> LibC.INSTANCE.unshare(LibC.CLONE_FS));
                call("chdir " + dir, () -> LibC.INSTANCE.chdir(dir));
                call("mount " + m.type() + " on " + target + " from " + dir,
                        () -> LibC.INSTANCE.mount(m.source(), target, m.type(), flags, data));
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "mountat");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Errdefs.unavailable("interrupted while mounting %s", target);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Unmounts {@code target} once, retrying while busy (containerd's {@code unmount}). */
    public void unmount(Path target, int flags) {
        String t = target.toString();
        for (int i = 0; i < 50; i++) {
            try {
                LibC.INSTANCE.umount2(t, flags);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EBUSY) {
                    throw failure("unmount " + t, e);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new ContainerdException(ErrorCode.UNKNOWN, "failed to unmount target " + t + ": "
                + LibC.errorText(LibC.EBUSY));
    }

    @Override
    public void unmountAll(Path target, boolean detach) {
        if (target == null || !Files.exists(target)) {
            return;
        }
        int flags = detach ? MNT_DETACH : 0;
        while (true) {
            try {
                unmount(target, flags);
            } catch (ContainerdException e) {
                // EINVAL: nothing (more) is mounted there
                if (e.getCause() instanceof LastErrorException le && le.getErrorCode() == LibC.EINVAL) {
                    return;
                }
                throw e;
            }
        }
    }

    private interface Call {
        int run() throws LastErrorException;
    }

    private static void call(String what, Call call) {
        try {
            call.run();
        } catch (LastErrorException e) {
            throw failure(what, e);
        }
    }

    private static ContainerdException failure(String what, LastErrorException e) {
        return new ContainerdException(ErrorCode.UNKNOWN, what + ": " + LibC.errorText(e.getErrorCode()), e);
    }

    static int optionsSize(List<String> options) {
        int n = 0;
        for (String o : options) {
            n += o.getBytes(StandardCharsets.UTF_8).length;
        }
        return n;
    }

    private static int pageSize() {
        try {
            return LibC.INSTANCE.getpagesize();
        } catch (RuntimeException | LinkageError e) {
            return 4096;
        }
    }
}
