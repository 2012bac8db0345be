package io.jcontainerd.snapshots.nativecopy;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.snapshots.Kind;
import io.jcontainerd.snapshots.SnapshotInfo;
import io.jcontainerd.snapshots.Snapshotter;
import io.jcontainerd.snapshots.Usage;
import io.jcontainerd.snapshots.fs.CopyDir;
import io.jcontainerd.snapshots.fs.DiskUsage;
import io.jcontainerd.snapshots.fs.Posix;
import io.jcontainerd.snapshots.fs.Trees;
import io.jcontainerd.snapshots.storage.Failures;
import io.jcontainerd.snapshots.storage.MetaStore;
import io.jcontainerd.snapshots.storage.MetaTx;
import io.jcontainerd.snapshots.storage.StoredSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * containerd's native snapshotter ({@code snapshots/native/native.go}): every active snapshot is a full
 * copy of its parent in {@code <root>/snapshots/<id>}, and every mount is a bind mount (of the parent's
 * directory for a view, which copies nothing).
 */
public final class NativeSnapshotter implements Snapshotter, AutoCloseable {
    private final Path snapshots;
    private final MetaStore ms;

    public NativeSnapshotter(Path root) throws IOException {
        Files.createDirectories(root);
        Posix.chmod(root, 0700);
        this.snapshots = root.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            Files.createDirectory(snapshots, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        this.ms = MetaStore.open(root.resolve(MetaStore.FILE));
    }

    @Override
    public SnapshotInfo stat(String key) {
        return ms.view(tx -> tx.getInfo(key).info());
    }

    @Override
    public SnapshotInfo update(SnapshotInfo info, List<String> fieldPaths) {
        return ms.update(tx -> tx.updateInfo(info, fieldPaths));
    }

    @Override
    public Usage usage(String key) {
        MetaTx.Entry e = ms.view(tx -> tx.getInfo(key));
        if (e.info().kind() == Kind.ACTIVE) {
            try {
                return DiskUsage.of(dir(e.id()));
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
            throw e.wrap("failed to get snapshot mount");
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
            Usage usage;
            try {
                // as containerd, measured before the kind is checked: a view of a parent has no
                // directory, and committing it fails here with lstat's error
                usage = DiskUsage.of(dir(e.id()));
            } catch (IOException ex) {
                throw new ContainerdException(ErrorCode.UNKNOWN, ex.getMessage(), ex);
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
        Path[] moved = {null, null}; // from, to
        try {
            ms.update(tx -> {
                MetaTx.Removed r;
                try {
                    r = tx.remove(key);
                } catch (ContainerdException e) {
                    throw e.wrap("failed to remove");
                }
                Path path = dir(r.id());
                Path renamed = snapshots.resolve("rm-" + r.id());
                try {
                    Files.move(path, renamed, StandardCopyOption.ATOMIC_MOVE);
                    moved[0] = path;
                    moved[1] = renamed;
                } catch (NoSuchFileException e) {
                    // nothing on disk to remove
                } catch (IOException e) {
                    throw Failures.wrap("failed to rename", e);
                }
                return null;
            });
        } catch (RuntimeException e) {
            if (moved[1] != null) {
                try {
                    Files.move(moved[1], moved[0], StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e1) {
                    e.addSuppressed(e1);
                }
            }
            throw e;
        }
        if (moved[1] != null) {
            deleteQuietly(moved[1]);
        }
    }

    @Override
    public void walk(Consumer<SnapshotInfo> visitor) {
        List<SnapshotInfo> all = new ArrayList<>();
        ms.view(tx -> {
            tx.walk(null, all::add);
            return null;
        });
        all.forEach(visitor);
    }

    /** Removes directories no snapshot owns (left by a crash between rename and removal). */
    @Override
    public void cleanup() {
        ms.update(tx -> {
            Set<String> ids = tx.idMap().keySet();
            try (Stream<Path> s = Files.list(snapshots)) {
                s.filter(p -> !ids.contains(p.getFileName().toString())).forEach(NativeSnapshotter::deleteQuietly);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
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
            if (kind == Kind.ACTIVE || parent == null || parent.isEmpty()) {
                try {
                    pending[0] = Files.createTempDirectory(snapshots, "new-");
                    Posix.chmod(pending[0], 0755);
                } catch (IOException e) {
                    throw Failures.wrap("failed to create temp dir", e);
                }
            }
            return ms.update(tx -> {
                StoredSnapshot s;
                try {
                    s = tx.createSnapshot(kind, key, parent, labels);
                } catch (ContainerdException e) {
                    throw e.wrap("failed to create snapshot");
                }
                if (pending[0] != null) {
                    if (!s.parentIds().isEmpty()) {
                        try {
                            CopyDir.copy(pending[0], dir(s.parentIds().get(0)));
                        } catch (IOException | RuntimeException e) {
                            throw Failures.wrap("copying of parent failed", e);
                        }
                    }
                    Path path = dir(s.id());
                    try {
                        Files.move(pending[0], path, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException e) {
                        throw Failures.wrap("failed to rename", e);
                    }
                    pending[1] = path;
                    pending[0] = null;
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

    private List<Mount> mounts(StoredSnapshot s) {
        String ro = s.kind() == Kind.VIEW ? "ro" : "rw";
        Path source = s.parentIds().isEmpty() || s.kind() == Kind.ACTIVE ? dir(s.id()) : dir(s.parentIds().get(0));
        return List.of(new Mount("bind", source.toString(), List.of("rbind", ro)));
    }

    private Path dir(String id) {
        return snapshots.resolve(id);
    }

    private static void deleteQuietly(Path dir) {
        try {
            Trees.deleteRecursively(dir);
        } catch (IOException e) {
            System.getLogger(NativeSnapshotter.class.getName()).log(System.Logger.Level.WARNING,
                    "failed to remove directory " + dir, e);
        }
    }
}
