package io.jcontainerd.differ.walking;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.mount.Mounter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives the directory a list of mounts shows: a bind mount's source as it is, anything else mounted
 * on a fresh temporary directory for the duration of a callback (containerd's
 * {@code mount.WithTempMount} / {@code WithReadonlyTempMount}).
 */
final class MountedDirs {
    /** Work on a directory. */
    interface DirFunction<T> {
        T apply(Path dir) throws IOException;
    }

    private final Mounter mounter;
    private final Path tempRoot;

    MountedDirs(Mounter mounter, Path tempRoot) {
        this.mounter = mounter;
        this.tempRoot = tempRoot;
    }

    /** A single bind mount's source, if {@code mounts} is one (and, unless {@code readOnly}, not ro). */
    static Path bindSource(List<Mount> mounts, boolean readOnly) {
        if (mounts.size() != 1) {
            return null;
        }
        Mount m = mounts.get(0);
        boolean bind = m.type().equals("bind") || m.type().equals("rbind")
                || m.options().contains("bind") || m.options().contains("rbind");
        if (!bind || (!readOnly && m.options().contains("ro"))) {
            return null;
        }
        return Path.of(m.source());
    }

    <T> T with(List<Mount> mounts, boolean readOnly, DirFunction<T> f) throws IOException {
        Path direct = bindSource(mounts, readOnly);
        if (direct != null) {
            return f.apply(direct);
        }
        if (mounter == null) {
            throw new ContainerdException(ErrorCode.UNAVAILABLE, "no mounter to mount " + mounts);
        }
        Files.createDirectories(tempRoot);
        Path dir = Files.createTempDirectory(tempRoot, "containerd-mount");
        try {
            try {
                mounter.mountAll(readOnly ? readonly(mounts) : mounts, dir);
            } catch (ContainerdException e) {
                throw e.wrap("failed to mount " + dir);
            }
            try {
                return f.apply(dir);
            } finally {
                mounter.unmountAll(dir, false);
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    /** The read-only form: overlay loses its upper (which becomes the top lower), others get ro. */
    static List<Mount> readonly(List<Mount> mounts) {
        List<Mount> out = new ArrayList<>();
        for (Mount m : mounts) {
            List<String> opts = new ArrayList<>();
            if (m.type().equals("overlay")) {
                String upper = null;
                for (String o : m.options()) {
                    if (o.startsWith("upperdir=")) {
                        upper = o.substring("upperdir=".length());
                    } else if (!o.startsWith("workdir=")) {
                        opts.add(o);
                    }
                }
                if (upper != null) {
                    for (int i = 0; i < opts.size(); i++) {
                        if (opts.get(i).startsWith("lowerdir=")) {
                            opts.set(i, "lowerdir=" + upper + ":" + opts.get(i).substring("lowerdir=".length()));
                        }
                    }
                }
            } else {
                for (String o : m.options()) {
                    if (!o.equals("rw") && !o.equals("ro")) {
                        opts.add(o);
                    }
                }
                opts.add("ro");
            }
            out.add(new Mount(m.type(), m.source(), opts));
        }
        return out;
    }
}
