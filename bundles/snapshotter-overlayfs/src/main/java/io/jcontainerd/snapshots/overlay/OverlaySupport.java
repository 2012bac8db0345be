package io.jcontainerd.snapshots.overlay;

import io.jcontainerd.mount.Mount;
import io.jcontainerd.mount.Mounter;
import io.jcontainerd.snapshots.fs.Posix;
import io.jcontainerd.snapshots.fs.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** containerd's {@code overlayutils}: whether overlay works here, and with which options. */
final class OverlaySupport {
    private OverlaySupport() {
    }

    /**
     * Whether {@code root} can hold overlay snapshots: its file system reports entry types, and an
     * overlay with two lower directories mounts in it ({@code overlayutils.Supported}).
     */
    static void check(Path root, Mounter mounter) throws IOException {
        Files.createDirectories(root);
        if (!supportsDType(root)) {
            throw new IOException(root + " does not support d_type. If the backing filesystem is xfs, please "
                    + "reformat with ftype=1 to enable d_type support");
        }
        Path td = Files.createTempDirectory(root, "multiple-lowerdir-check");
        try {
            for (String d : List.of("lower1", "lower2", "upper", "work", "merged")) {
                Files.createDirectory(td.resolve(d));
            }
            Path merged = td.resolve("merged");
            String opts = "lowerdir=" + td.resolve("lower2") + ":" + td.resolve("lower1") + ",upperdir="
                    + td.resolve("upper") + ",workdir=" + td.resolve("work");
            try {
                mounter.mountAll(List.of(new Mount("overlay", "overlay", List.of(opts))), merged);
            } catch (RuntimeException e) {
                throw new IOException("failed to mount overlay: " + e.getMessage(), e);
            }
            mounter.unmountAll(merged, false);
        } finally {
            Trees.deleteRecursively(td);
        }
    }

    /** containerd's {@code fs.SupportsDType}, with a dummy entry if the directory is empty. */
    static boolean supportsDType(Path dir) throws IOException {
        Path dummy = null;
        try (var s = Files.list(dir)) {
            if (s.findAny().isEmpty()) {
                dummy = Files.createTempFile(dir, "dummy", "");
            }
        }
        try {
            return Posix.reportsEntryTypes(dir);
        } finally {
            if (dummy != null) {
                Files.deleteIfExists(dummy);
            }
        }
    }

    /**
     * Whether mounts need {@code userxattr}: only in a user namespace, and then on kernels from 5.11,
     * which are the ones supported here; never on tmpfs.
     */
    static boolean needsUserXattr(Path root) {
        return runningInUserNamespace() && !isTmpfs(root);
    }

    private static boolean runningInUserNamespace() {
        try {
            String map = Files.readString(Path.of("/proc/self/uid_map")).trim();
            return !map.matches("0\\s+0\\s+4294967295");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isTmpfs(Path p) {
        try {
            return Files.getFileStore(p).type().equals("tmpfs");
        } catch (IOException e) {
            return false;
        }
    }
}
