package io.jcontainerd.snapshots.overlay;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.snapshots.Kind;
import io.jcontainerd.snapshots.SnapshotInfo;
import io.jcontainerd.snapshots.Snapshotter;
import io.jcontainerd.snapshots.Usage;
import io.jcontainerd.snapshots.fs.DiskUsage;
import io.jcontainerd.snapshots.fs.FileStat;
import io.jcontainerd.snapshots.fs.Posix;
import io.jcontainerd.snapshots.fs.Trees;
import io.jcontainerd.snapshots.storage.Failures;
import io.jcontainerd.snapshots.storage.MetaStore;
import io.jcontainerd.snapshots.storage.MetaTx;
import io.jcontainerd.snapshots.storage.StoredSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * containerd's overlayfs snapshotter ({@code snapshots/overlay/overlay.go}): each snapshot is
 * {@code <root>/snapshots/<id>} with {@code fs} (its upper directory, or its content once committed) and,
 * for active snapshots, {@code work}. An active snapshot without parent and a view of one parent are bind
 * mounts; the rest are overlay mounts with the parent chain, nearest first, as lower directories.
 */
public final class OverlaySnapshotter implements Snapshotter, AutoCloseable {
    /** The label that tells a snapshot's upper directory when {@code upperdir_label} is on. */
    public static final String UPPERDIR_LABEL = "containerd.io/snapshot/overlay.upperdir";

    private final Path root;
    private final Path snapshots;
    private final MetaStore ms;
    private final boolean asyncRemove;
    private final boolean upperdirLabel;
    private final List<String> baseOptions;

    /**
     * @param asyncRemove   leave removed snapshots' directories for {@link #cleanup()}, as containerd's
     *                      plugin does (garbage collection calls it)
     * @param upperdirLabel add {@link #UPPERDIR_LABEL} to infos
     */
    public OverlaySnapshotter(Path root, boolean asyncRemove, boolean upperdirLabel) throws IOException {
        Files.createDirectories(root);
        Posix.chmod(root, 0700);
        if (!OverlaySupport.supportsDType(root)) {
            throw new IOException(root + " does not support d_type. If the backing filesystem is xfs, please "
                    + "reformat with ftype=1 to enable d_type support");
        }
        this.root = root;
        this.snapshots = root.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            Files.createDirectory(snapshots, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        this.ms = MetaStore.open(root.resolve(MetaStore.FILE));
        this.asyncRemove = asyncRemove;
        this.upperdirLabel = upperdirLabel;
        List<String> opts = new ArrayList<>();
        if (Files.exists(Path.of("/sys/module/overlay/parameters/index"))) {
            opts.add("index=off");
        }
        if (OverlaySupport.needsUserXattr(root)) {
            opts.add("userxattr");
        }
        this.baseOptions = List.copyOf(opts);
    }

    /** The snapshotter's root. */
    public Path root() {
        return root;
    }

    @Override
    public SnapshotInfo stat(String key) {
        return ms.view(tx -> {
            MetaTx.Entry e = tx.getInfo(key);
            return labelled(e.info(), e.id());
        });
    }

    @Override
    public SnapshotInfo update(SnapshotInfo info, List<String> fieldPaths) {
        return ms.update(tx -> {
            SnapshotInfo updated = tx.updateInfo(info, fieldPaths);
            return upperdirLabel ? labelled(updated, tx.getInfo(updated.name()).id()) : updated;
        });
    }

    @Override
    public Usage usage(String key) {
        MetaTx.Entry e = ms.view(tx -> tx.getInfo(key));
        if (e.info().kind() == Kind.ACTIVE) {
            try {
                return DiskUsage.of(upperPath(e.id()));
            } catch (IOException ex) {
                throw Failures.wrap("failed to get usage of " + key, ex);
            }
        }
        return e.usage();
    }

    @Override
    public List<Mount> mounts(String key) {
        StoredSnapshot s;
        try {
            s = ms.view(tx -> tx.getSnapshot(key));
        } catch (ContainerdException e) {
            throw e.wrap("failed to get active mount");
        }
        return mounts(s);
    }

    @Override
    public List<Mount> prepare(String key, String parent, Map<String, String> labels) {
        return createSnapshot(Kind.ACTIVE, key, parent, labels);
    }

    @Override
    public List<Mount> view(String key, String parent, Map<String, String> labels) {
        return createSnapshot(Kind.VIEW, key, parent, labels);
    }

    @Override
    public void commit(String name, String key, Map<String, String> labels) {
        ms.update(tx -> {
            MetaTx.Entry e = tx.getInfo(key);
            // only an active snapshot has a tree of its own to measure; the rest fail in commitActive
            Usage usage = new Usage(0, 0);
            try {
                if (e.info().kind() == Kind.ACTIVE) {
                    usage = DiskUsage.of(upperPath(e.id()));
                }
            } catch (IOException ex) {
                throw Failures.wrap("failed to compute usage of " + key, ex);
            }
            try {
                return tx.commitActive(key, name, usage, labels);
            } catch (ContainerdException ex) {
                throw ex.wrap("failed to commit snapshot");
            }
        });
    }

    @Override
    public void remove(String key) {
        List<Path> removals = ms.update(tx -> {
            try {
                tx.remove(key);
            } catch (ContainerdException e) {
                throw e.wrap("failed to remove");
            }
            return asyncRemove ? List.<Path>of() : orphans(tx);
        });
        for (Path dir : removals) {
            deleteQuietly(dir);
        }
    }

    @Override
    public void walk(Consumer<SnapshotInfo> visitor) {
        List<SnapshotInfo> all = new ArrayList<>();
        Map<String, String> ids = new HashMap<>();
        ms.view(tx -> {
            tx.walk(null, all::add);
            if (upperdirLabel) {
                tx.idMap().forEach((id, key) -> ids.put(key, id));
            }
            return null;
        });
        for (SnapshotInfo i : all) {
            visitor.accept(upperdirLabel ? labelled(i, ids.get(i.name())) : i);
        }
    }

    /** Removes the directories no snapshot owns any more (under the store's write lock). */
    @Override
    public void cleanup() {
        ms.update(tx -> {
            for (Path dir : orphans(tx)) {
                deleteQuietly(dir);
            }
            return null;
        });
    }

    @Override
    public void close() {
        ms.close();
    }

    private List<Mount> createSnapshot(Kind kind, String key, String parent, Map<String, String> labels) {
        Path[] pending = {null, null}; // temp dir, final dir
        try {
            return ms.update(tx -> {
                try {
                    pending[0] = prepareDirectory(kind);
                } catch (IOException e) {
                    throw Failures.wrap("failed to create prepare snapshot dir", e);
                }
                StoredSnapshot s;
                try {
                    s = tx.createSnapshot(kind, key, parent, labels);
                } catch (ContainerdException e) {
                    throw e.wrap("failed to create snapshot");
                }
                try {
                    if (!s.parentIds().isEmpty()) {
                        FileStat st = Posix.lstat(upperPath(s.parentIds().get(0)));
                        Posix.lchown(pending[0].resolve("fs"), st.uid(), st.gid());
                    }
                    Path path = snapshots.resolve(s.id());
                    Files.move(pending[0], path, StandardCopyOption.ATOMIC_MOVE);
                    pending[1] = path;
                    pending[0] = null;
                } catch (IOException e) {
                    throw Failures.wrap("failed to rename", e);
                }
                return mounts(s);
            });
        } catch (RuntimeException e) {
            for (Path p : pending) {
                if (p != null) {
                    deleteQuietly(p);
                }
            }
            throw e;
        }
    }

    private Path prepareDirectory(Kind kind) throws IOException {
        Path td = Files.createTempDirectory(snapshots, "new-");
        Files.createDirectory(td.resolve("fs"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        if (kind == Kind.ACTIVE) {
            Files.createDirectory(td.resolve("work"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        }
        return td;
    }

    List<Mount> mounts(StoredSnapshot s) {
        if (s.parentIds().isEmpty()) {
            String ro = s.kind() == Kind.VIEW ? "ro" : "rw";
            return List.of(new Mount("bind", upperPath(s.id()).toString(), List.of(ro, "rbind")));
        }
        List<String> options = new ArrayList<>(baseOptions);
        if (s.kind() == Kind.ACTIVE) {
            options.add("workdir=" + workPath(s.id()));
            options.add("upperdir=" + upperPath(s.id()));
        } else if (s.parentIds().size() == 1) {
            return List.of(new Mount("bind", upperPath(s.parentIds().get(0)).toString(), List.of("ro", "rbind")));
        }
        List<String> lower = new ArrayList<>();
        for (String id : s.parentIds()) {
            lower.add(upperPath(id).toString());
        }
        options.add("lowerdir=" + String.join(":", lower));
        return List.of(new Mount("overlay", "overlay", options));
    }

    private List<Path> orphans(MetaTx tx) {
        Set<String> ids = tx.idMap().keySet();
        try (Stream<Path> s = Files.list(snapshots)) {
            return s.filter(p -> !ids.contains(p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SnapshotInfo labelled(SnapshotInfo info, String id) {
        if (!upperdirLabel || id == null) {
            return info;
        }
        Map<String, String> labels = new HashMap<>(info.labels());
        labels.put(UPPERDIR_LABEL, upperPath(id).toString());
        return new SnapshotInfo(info.name(), info.parent(), info.kind(), labels, info.createdAt(), info.updatedAt());
    }

    private static void deleteQuietly(Path dir) {
        try {
            Trees.deleteRecursively(dir);
        } catch (IOException e) {
            System.getLogger(OverlaySnapshotter.class.getName()).log(System.Logger.Level.WARNING,
                    "failed to remove directory " + dir, e);
        }
    }

    Path upperPath(String id) {
        return snapshots.resolve(id).resolve("fs");
    }

    Path workPath(String id) {
        return snapshots.resolve(id).resolve("work");
    }
}
