package io.jcontainerd.runtime.v2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.identifiers.Identifiers;
import io.jcontainerd.mount.Mounter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A task's bundle directory, {@code <state>/<ns>/<id>}: {@code config.json} (the container's spec),
 * {@code rootfs/} (where the shim mounts the root file system), a {@code work} link to
 * {@code <root>/<ns>/<id>}, and whatever the shim and runc add (address, log, init.pid, options.json).
 *
 * @param id        the task id
 * @param namespace its namespace
 * @param path      the bundle directory
 */
record Bundle(String id, String namespace, Path path) {
    static final String CONFIG = "config.json";

    /** The bundle of an existing task (for cleanup and restore). */
    static Bundle load(Path state, String namespace, String id) {
        return new Bundle(id, namespace, state.resolve(namespace).resolve(id));
    }

    /**
     * Creates the directories and config.json with containerd's modes: the namespace directories,
     * rootfs and the work directory 0711, the bundle 0700 — or, when the spec maps the container's gid 0
     * to another host gid (a user namespace), 0710 and that group, so that the container's root can
     * reach its rootfs. On failure, removes what it made.
     */
    static Bundle create(Path root, Path state, String namespace, String id, byte[] spec) {
        Identifiers.validate(id);
        Bundle b = load(state, namespace, id);
        long remappedGid = remappedGid(b, spec);
        try {
            createDirectories(b.path.getParent(), TRAVERSE_ONLY);
            try {
                Files.createDirectory(b.path, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                throw exists(b, e);
            }
        } catch (IOException e) {
            throw new ContainerdException(ErrorCode.UNKNOWN, "create bundle " + b.path + ": " + e, e);
        }
        return b.fill(root, remappedGid, spec);
    }

    /**
     * A warm shim's placeholder bundle, {@code <state>/<namespace>/.<id>}: the namespace directories as
     * for {@link #create}, the bundle 0700 and an empty spec, {@code {}} (a shim's start reads the spec
     * for group annotations only); on failure nothing of the bundle is left. {@link #adopt} makes it a
     * task's bundle.
     */
    static Bundle placeholder(Path state, String namespace, String id) throws IOException {
        Bundle b = new Bundle(id, namespace, state.resolve(namespace).resolve("." + id));
        createDirectories(b.path.getParent(), TRAVERSE_ONLY);
        Files.createDirectory(b.path, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            Files.writeString(b.path.resolve(CONFIG), "{}");
        } catch (IOException e) {
            removeTree(b.path);
            throw e;
        }
        return b;
    }

    /**
     * Makes a warm shim's placeholder bundle {@code dir} (in the namespace's directory) the task's bundle:
     * renames it, then adds what {@link #create} would have, config.json written over the placeholder's.
     * A bundle already there is the same error as for {@link #create}, and {@code dir} stays as it was.
     */
    static Bundle adopt(Path dir, Path root, Path state, String namespace, String id, byte[] spec) {
        Identifiers.validate(id);
        Bundle b = load(state, namespace, id);
        long remappedGid = remappedGid(b, spec);
        if (!dir.getParent().equals(b.path.getParent())) {
            throw new IllegalArgumentException(dir + " is not in " + b.path.getParent());
        }
        if (Files.exists(b.path, LinkOption.NOFOLLOW_LINKS)) {
            throw exists(b, null); // a rename would take an empty directory's place
        }
        try {
            Files.move(dir, b.path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ContainerdException(ErrorCode.UNKNOWN, "create bundle " + b.path + ": " + e, e);
        }
        return b.fill(root, remappedGid, spec);
    }

    /**
     * Makes a deleted task's bundle, whose shim lives on, a placeholder bundle named {@code .<id>} again,
     * for {@link #adopt}: what is left on rootfs is unmounted, rootfs and the work directory are removed,
     * then the directory is renamed and emptied but for the shim's {@code address} and {@code log}, with
     * an empty spec and the placeholder's owner and mode. A failure before the rename leaves the bundle
     * where it was, for {@link #delete}; after it, the placeholder is removed. Either way it throws.
     */
    Bundle recycle(Mounter mounter, String id) throws IOException {
        Path work = work();
        removeRootfs(mounter);
        if (work != null) {
            atomicDelete(work);
        }
        Bundle b = new Bundle(id, namespace, path.resolveSibling("." + id));
        Files.move(path, b.path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> s = Files.list(b.path)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!name.equals("address") && !name.equals("log")) {
                    removeTree(p);
                }
            }
            Files.writeString(b.path.resolve(CONFIG), "{}");
            Files.setAttribute(b.path, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(b.path, OWNER_ONLY);
            return b;
        } catch (IOException | RuntimeException e) {
            try {
                removeTree(b.path);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** As containerd's os.Mkdir reports an existing bundle: no error class, so Unknown. */
    private static ContainerdException exists(Bundle b, Exception cause) {
        return new ContainerdException(ErrorCode.UNKNOWN, "mkdir " + b.path + ": file exists", cause);
    }

    private static long remappedGid(Bundle b, byte[] spec) {
        try {
            return remappedGid(spec);
        } catch (IOException e) {
            throw new ContainerdException(ErrorCode.UNKNOWN, "create bundle " + b.path + ": spec: " + e.getMessage(), e);
        }
    }

    /** The bundle's modes, rootfs, work directory and config.json; on failure, removes the bundle. */
    private Bundle fill(Path root, long remappedGid, byte[] spec) {
        Path work = root.resolve(namespace).resolve(id);
        try {
            Files.setPosixFilePermissions(path, OWNER_ONLY);
            if (remappedGid != 0) {
                Files.setAttribute(path, "unix:gid", (int) remappedGid, LinkOption.NOFOLLOW_LINKS);
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx--x---"));
            }
            createDirectories(rootfs(), TRAVERSE_ONLY);
            createDirectories(work.getParent(), TRAVERSE_ONLY);
            if (Files.exists(work, LinkOption.NOFOLLOW_LINKS)) {
                removeTree(work); // left over from a task that was not cleaned up
            }
            Files.createDirectory(work);
            Files.setPosixFilePermissions(work, TRAVERSE_ONLY);
            Files.createSymbolicLink(path.resolve("work"), work);
            Files.write(path.resolve(CONFIG), spec);
            return this;
        } catch (IOException | RuntimeException e) {
            try {
                removeTree(path);
                removeTree(work);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof ContainerdException ce) {
                throw ce;
            }
            throw new ContainerdException(ErrorCode.UNKNOWN, "create bundle " + path + ": " + e, e);
        }
    }

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> TRAVERSE_ONLY = PosixFilePermissions.fromString("rwx--x--x");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Creates {@code dir} and its missing parents with {@code mode}; existing ones keep theirs. */
    static void createDirectories(Path dir, Set<PosixFilePermission> mode) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            createDirectories(parent, mode);
        }
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            return; // made meanwhile by another task's create
        }
        Files.setPosixFilePermissions(dir, mode); // exact, whatever the umask
    }

    /**
     * The host gid the spec maps the container's gid 0 to ({@code linux.gidMappings}), or 0 when
     * there is no such mapping. A spec that names no gid mappings is not parsed.
     */
    static long remappedGid(byte[] spec) throws IOException {
        if (!new String(spec, StandardCharsets.ISO_8859_1).contains("\"gidMappings\"")) {
            return 0;
        }
        JsonNode mappings = JSON.readTree(spec).path("linux").path("gidMappings");
        for (JsonNode m : mappings) {
            if (m.path("containerID").asLong(-1) == 0) {
                return m.path("hostID").asLong(0);
            }
        }
        return 0;
    }

    Path rootfs() {
        return path.resolve("rootfs");
    }

    /**
     * Unmounts whatever is left on rootfs, then removes the bundle and its work directory. The rootfs
     * directory is removed on its own first and must be empty: a mount that would not go away keeps
     * its files safe from the recursive removal.
     */
    void delete(Mounter mounter) throws IOException {
        Path work = work();
        removeRootfs(mounter);
        atomicDelete(path);
        if (work != null) {
            atomicDelete(work);
        }
    }

    /** The work directory the bundle links to, or null if it has none. */
    private Path work() throws IOException {
        try {
            return Files.readSymbolicLink(path.resolve("work"));
        } catch (NoSuchFileException | java.nio.file.NotLinkException e) {
            return null;
        }
    }

    /**
     * Unmounts whatever is left on rootfs, then removes the directory, which must then be empty: a mount
     * that would not go away keeps its files safe from any recursive removal after this.
     */
    private void removeRootfs(Mounter mounter) throws IOException {
        if (Files.isDirectory(rootfs(), LinkOption.NOFOLLOW_LINKS)) {
            mounter.unmountAll(rootfs(), false);
            Files.deleteIfExists(rootfs());
        }
    }

    /** Renames to a hidden name first, so that a half-removed directory is never taken for a bundle. */
    private static void atomicDelete(Path dir) throws IOException {
        Path hidden = dir.resolveSibling("." + dir.getFileName());
        try {
            Files.move(dir, hidden, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return;
        }
        removeTree(hidden);
    }

    static void removeTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
