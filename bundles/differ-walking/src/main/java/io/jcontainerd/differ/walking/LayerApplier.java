package io.jcontainerd.differ.walking;

import io.jcontainerd.differ.walking.RootResolver.EscapeException;
import io.jcontainerd.differ.walking.RootResolver.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Unpacks an OCI layer (uncompressed tar) into a directory, as containerd's {@code archive.Apply}:
 * entries replace what is there (directories merge), whiteouts delete, parents are created with the
 * attributes of the same directory in {@code parents} (the lower layers) when there is one, and
 * directory times are set last.
 *
 * <p>Every name and hard-link target is resolved inside the root by {@link RootResolver} in strict
 * mode: a layer that names a path outside the root, directly or through a symlink, fails with an
 * {@link EscapeException} before anything is written for that entry.
 */
final class LayerApplier {
    private static final Logger LOG = Logger.getLogger(LayerApplier.class.getName());
    static final String WHITEOUT_PREFIX = ".wh.";
    static final String WHITEOUT_OPAQUE = ".wh..wh..opq";
    private static final String XATTR_PREFIX = "SCHILY.xattr.";
    private static final FileTime EPOCH = FileTime.fromMillis(0);

    /** How whiteout entries are turned into the file system. */
    enum Whiteouts {
        /** Remove the named files; an opaque marker empties its directory (of older content). */
        REMOVE,
        /** Record them for overlayfs: a 0/0 character device, or {@code trusted.overlay.opaque=y}. */
        OVERLAY
    }

    private final Path root;
    private final Whiteouts whiteouts;
    private final List<Path> parents;
    private final RootResolver resolver;
    private final Set<Path> unpacked = new HashSet<>();
    /** Resolved parent directories; valid until a symlink appears or anything is removed. */
    private final Map<List<String>, Path> resolved = new HashMap<>();
    private final List<DirTimes> dirs = new ArrayList<>();
    private final byte[] buffer = new byte[1 << 17];

    private record DirTimes(List<String> name, FileTime atime, FileTime mtime) {
    }

    LayerApplier(Path root, Whiteouts whiteouts, List<Path> parents) {
        this.root = root.toAbsolutePath().normalize();
        this.whiteouts = whiteouts;
        this.parents = List.copyOf(parents);
        this.resolver = new RootResolver(this.root, Mode.STRICT);
    }

    /** Applies the tar stream {@code tar} (read up to the tar's end, not further). */
    void apply(InputStream tar) throws IOException {
        PaxRecorder rec = new PaxRecorder(tar);
        TarArchiveInputStream tin = new TarArchiveInputStream(rec, StandardCharsets.UTF_8.name());
        while (true) {
            rec.startEntry();
            TarArchiveEntry e = tin.getNextEntry();
            rec.endHeaders();
            if (e == null) {
                break;
            }
            applyEntry(e, tin, rec);
        }
        for (DirTimes d : dirs) {
            Path p = resolver.resolveLeaf(d.name);
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                PosixFiles.lutimes(p, d.atime, d.mtime);
            }
        }
    }

    private void applyEntry(TarArchiveEntry e, InputStream data, PaxRecorder rec) throws IOException {
        List<String> name = resolver.clean(e.getName());
        if (name.isEmpty()) {
            return; // the root itself: containerd ignores it
        }
        String base = name.get(name.size() - 1);
        List<String> parentName = name.subList(0, name.size() - 1);
        Path dir = resolved.get(parentName);
        if (dir == null) {
            dir = resolver.resolveDir(parentName);
            resolved.put(List.copyOf(parentName), dir);
        }
        Path path = dir.resolve(base);
        if (!dir.equals(root)) {
            mkparent(dir);
        }

        if (base.startsWith(WHITEOUT_PREFIX)) {
            resolved.clear();
            whiteout(e, dir, base);
            return;
        }

        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            boolean merge = e.isDirectory() && Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
            if (!merge) {
                resolved.clear();
                Tree.removeAll(path);
            }
        }
        if (e.isSymbolicLink() || e.isLink()) {
            resolved.clear(); // a new name may be a symlink (a hard link to one is one too)
        }

        create(e, data, path);

        if (e.isDirectory()) {
            dirs.add(new DirTimes(List.copyOf(name), atime(e), mtime(e)));
        }
        unpacked.add(path);
        applyMetadata(e, path, rec);
    }

    private void create(TarArchiveEntry e, InputStream data, Path path) throws IOException {
        int perm = e.getMode() & 07777;
        byte flag = e.getLinkFlag();
        switch (flag) {
            case TarConstants.LF_DIR -> {
                if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(path);
                }
            }
            case TarConstants.LF_NORMAL, TarConstants.LF_OLDNORM, TarConstants.LF_CONTIG,
                    TarConstants.LF_GNUTYPE_SPARSE -> {
                if (e.isDirectory()) { // old-style directory: a normal entry whose name ends in '/'
                    Files.createDirectory(path);
                    break;
                }
                writeFile(path, data);
            }
            case TarConstants.LF_CHR, TarConstants.LF_BLK, TarConstants.LF_FIFO -> {
                int type = flag == TarConstants.LF_CHR ? PosixFiles.S_IFCHR
                        : flag == TarConstants.LF_BLK ? PosixFiles.S_IFBLK : PosixFiles.S_IFIFO;
                PosixFiles.mknod(path, type | perm, PosixFiles.makedev(e.getDevMajor(), e.getDevMinor()));
            }
            case TarConstants.LF_LINK -> Files.createLink(path, hardlinkTarget(e.getLinkName()));
            case TarConstants.LF_SYMLINK -> PosixFiles.symlink(e.getLinkName(), path);
            default -> throw new IOException("unhandled tar header type " + flag + " for " + e.getName());
        }
    }

    private void writeFile(Path path, InputStream data) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = data.read(buffer)) > 0) {
                ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
    }

    /** A hard link's target: inside the root, its parents resolved, the final name not followed. */
    private Path hardlinkTarget(String linkName) throws IOException {
        List<String> target = resolver.clean(linkName);
        if (target.isEmpty()) {
            throw new EscapeException("hard link to the root " + linkName);
        }
        Path p = resolver.resolveLeaf(target);
        if (!p.startsWith(root) || p.equals(root)) {
            throw new EscapeException("hard link target " + linkName + " is outside the root");
        }
        return p;
    }

    private void applyMetadata(TarArchiveEntry e, Path path, PaxRecorder rec) throws IOException {
        PosixFiles.lchown(path, e.getLongUserId(), e.getLongGroupId());
        setXattrs(e, path, rec);
        // after lchown, which may clear setuid bits; a hard link to a symlink is left alone
        if (!Files.isSymbolicLink(path)) {
            PosixFiles.chmod(path, e.getMode());
        }
        PosixFiles.lutimes(path, atime(e), mtime(e));
    }

    private void setXattrs(TarArchiveEntry e, Path path, PaxRecorder rec) throws IOException {
        Map<String, String> pax = e.getExtraPaxHeaders();
        if (pax.keySet().stream().noneMatch(k -> k.startsWith(XATTR_PREFIX))) {
            return;
        }
        Map<String, byte[]> raw = rec.paxRecords();
        for (Map.Entry<String, String> x : pax.entrySet()) {
            if (!x.getKey().startsWith(XATTR_PREFIX)) {
                continue;
            }
            String key = x.getKey().substring(XATTR_PREFIX.length());
            byte[] value = raw.getOrDefault(x.getKey(), x.getValue().getBytes(StandardCharsets.UTF_8));
            if (key.startsWith("trusted.")) {
                LOG.warning("ignored xattr " + key + " in archive: admin attributes from archive not supported");
                continue;
            }
            try {
                PosixFiles.lsetxattr(path, key, value);
            } catch (PosixFiles.ErrnoException ex) {
                boolean userOnSpecial = ex.errno == Libc.EPERM && key.startsWith("user.")
                        && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
                if (userOnSpecial || ex.errno == Libc.ENOTSUP) {
                    LOG.log(Level.WARNING, "ignored xattr " + key + " in archive", ex);
                    continue;
                }
                throw ex;
            }
        }
    }

    private void whiteout(TarArchiveEntry e, Path dir, String base) throws IOException {
        if (base.equals(WHITEOUT_OPAQUE)) {
            if (whiteouts == Whiteouts.OVERLAY) {
                PosixFiles.lsetxattr(dir, "trusted.overlay.opaque", new byte[] {'y'});
            } else {
                RootResolver.requireExists(dir);
                Tree.removeAllExcept(dir, unpacked);
            }
            return;
        }
        String original = base.substring(WHITEOUT_PREFIX.length());
        if (original.isEmpty() || original.equals(".") || original.equals("..")) {
            throw new EscapeException("invalid whiteout name: " + base + ": invalid archive");
        }
        Path target = dir.resolve(original);
        if (whiteouts == Whiteouts.OVERLAY) {
            if (RootResolver.exists(target)) {
                Tree.removeAll(target);
            }
            PosixFiles.mknod(target, PosixFiles.S_IFCHR, 0);
            PosixFiles.lchown(target, e.getLongUserId(), e.getLongGroupId());
        } else {
            Tree.removeAll(target);
        }
    }

    /** Creates {@code dir} and its missing ancestors, copying attributes from the lower layers. */
    private void mkparent(Path dir) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("mkparent " + dir + ": not a directory");
            }
            return;
        }
        Path up = dir.getParent();
        if (up != null && !up.equals(root) && up.startsWith(root)) {
            mkparent(up);
        }
        Files.createDirectory(dir);
        PosixFiles.chmod(dir, 0755);
        String rel = root.relativize(dir).toString();
        for (Path lower : parents) {
            RootResolver lr = new RootResolver(lower, Mode.CONFINED);
            Path p = lr.resolveLeaf(lr.clean(rel));
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                copyDirInfo(p, dir);
            }
            break; // replaced by a non-directory: keep the defaults
        }
    }

    private static void copyDirInfo(Path from, Path to) throws IOException {
        Map<String, Object> st = PosixFiles.lstat(from);
        PosixFiles.lchown(to, (Integer) st.get("uid"), (Integer) st.get("gid"));
        PosixFiles.chmod(to, (Integer) st.get("mode"));
        PosixFiles.lutimes(to, (FileTime) st.get("lastAccessTime"), (FileTime) st.get("lastModifiedTime"));
        for (String x : PosixFiles.llistxattr(from)) {
            if (x.startsWith("trusted.")) {
                continue;
            }
            byte[] v = PosixFiles.lgetxattr(from, x);
            if (v != null) {
                PosixFiles.lsetxattr(to, x, v);
            }
        }
    }

    private static FileTime mtime(TarArchiveEntry e) {
        return bound(e.getLastModifiedTime());
    }

    private static FileTime atime(TarArchiveEntry e) {
        FileTime m = e.getLastModifiedTime();
        FileTime a = e.getLastAccessTime();
        return bound(a == null || (m != null && a.compareTo(m) < 0) ? m : a);
    }

    /** Times before the epoch (or missing) become the epoch, as containerd's boundTime. */
    private static FileTime bound(FileTime t) {
        return t == null || t.compareTo(EPOCH) < 0 ? EPOCH : t;
    }
}
