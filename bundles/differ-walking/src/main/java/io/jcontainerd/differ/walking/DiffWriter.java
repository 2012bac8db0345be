package io.jcontainerd.differ.walking;

import io.jcontainerd.differ.walking.ChangeWalker.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Turns the changes of a {@link ChangeWalker} into an OCI layer tar (containerd's
 * {@code archive.ChangeWriter}): added and modified files as entries with owners, modes, times,
 * device numbers, link targets and {@code security.capability}; deletions as {@code .wh.} files;
 * the parent directories of every entry included; hard links written once and linked to.
 */
final class DiffWriter implements ChangeWalker.Handler {
    private static final String CAPABILITY = "security.capability";

    private final TarArchiveOutputStream tar;
    private final Path source;
    private final FileTime whiteoutTime = FileTime.from(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final Map<Long, String> inodeSource = new HashMap<>();
    private final Map<Long, List<String>> inodeRefs = new HashMap<>();
    private final Set<String> addedDirs = new HashSet<>();
    private int paxCount;

    DiffWriter(OutputStream out, Path source) {
        this.tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
        this.tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        this.tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        this.tar.setAddPaxHeadersForNonAsciiNames(true);
        this.source = source;
    }

    /** Writes the diff of {@code lower} to {@code upper} onto {@code out} (not closing {@code out}). */
    static void writeDiff(OutputStream out, Path lower, Path upper) throws IOException {
        DiffWriter w = new DiffWriter(out, upper);
        ChangeWalker.changes(lower, upper, w);
        w.finish();
    }

    void finish() throws IOException {
        tar.finish();
        tar.flush();
    }

    @Override
    public void change(Kind kind, String path, FileStat f) throws IOException {
        if (kind == Kind.DELETE) {
            int slash = path.lastIndexOf('/');
            String name = (path.substring(0, slash + 1) + LayerApplier.WHITEOUT_PREFIX + path.substring(slash + 1))
                    .substring(1);
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
            e.setMode(0);
            e.setSize(0);
            e.setModTime(whiteoutTime);
            includeParents(name, false);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            return;
        }
        if (f.type() == PosixFiles.S_IFSOCK) {
            return;
        }
        String name = path.startsWith("/") ? path.substring(1) : path;
        if (f.isDir() && !name.endsWith("/")) {
            name += "/";
        }
        TarArchiveEntry e = header(name, f);

        List<String> additionalLinks = null;
        if (f.isHardlinked()) {
            String src = inodeSource.get(f.ino());
            if (src != null) {
                e = link(name, src, f);
            } else {
                if (kind == Kind.UNMODIFIED) {
                    inodeRefs.computeIfAbsent(f.ino(), i -> new ArrayList<>()).add(name);
                    return;
                }
                inodeSource.put(f.ino(), name);
                additionalLinks = inodeRefs.remove(f.ino());
            }
        } else if (kind == Kind.UNMODIFIED) {
            return;
        }

        byte[] capability = PosixFiles.lgetxattr(f.full(), CAPABILITY);
        includeParents(name, f.isDir());
        put(e, capability);
        if (e.getLinkFlag() == TarConstants.LF_NORMAL && e.getSize() > 0) {
            try (InputStream in = Files.newInputStream(f.full())) {
                long n = in.transferTo(tar);
                if (n != e.getSize()) {
                    throw new IOException("short write copying file " + f.full());
                }
            }
        }
        tar.closeArchiveEntry();
        if (additionalLinks != null) {
            for (String extra : additionalLinks) {
                TarArchiveEntry l = link(extra, name, f);
                includeParents(extra, false);
                put(l, capability);
                tar.closeArchiveEntry();
            }
        }
    }

    private TarArchiveEntry header(String name, FileStat f) throws IOException {
        byte flag;
        switch (f.type()) {
            case PosixFiles.S_IFDIR -> flag = TarConstants.LF_DIR;
            case PosixFiles.S_IFLNK -> flag = TarConstants.LF_SYMLINK;
            case PosixFiles.S_IFCHR -> flag = TarConstants.LF_CHR;
            case PosixFiles.S_IFBLK -> flag = TarConstants.LF_BLK;
            case PosixFiles.S_IFIFO -> flag = TarConstants.LF_FIFO;
            default -> flag = TarConstants.LF_NORMAL;
        }
        TarArchiveEntry e = new TarArchiveEntry(name, flag);
        e.setMode(f.mode() & 07777);
        e.setUserId((long) f.uid());
        e.setGroupId((long) f.gid());
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(FileTime.from(f.mtime().toInstant().truncatedTo(ChronoUnit.SECONDS)));
        if (flag == TarConstants.LF_NORMAL) {
            e.setSize(f.size());
        }
        if (flag == TarConstants.LF_SYMLINK) {
            e.setLinkName(PosixFiles.readlink(f.full()));
        }
        if (flag == TarConstants.LF_CHR || flag == TarConstants.LF_BLK) {
            e.setDevMajor((int) PosixFiles.major(f.rdev()));
            e.setDevMinor((int) PosixFiles.minor(f.rdev()));
        }
        return e;
    }

    private TarArchiveEntry link(String name, String target, FileStat f) throws IOException {
        TarArchiveEntry l = header(name, f);
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
        e.setMode(l.getMode());
        e.setUserId(l.getLongUserId());
        e.setGroupId(l.getLongGroupId());
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(l.getLastModifiedTime());
        e.setLinkName(target);
        e.setSize(0);
        return e;
    }

    /**
     * Writes the header; with a capability, the PAX header is written here byte for byte (commons-
     * compress would encode the binary value as UTF-8 text) and carries the long names too, so the
     * stream's own header must not add a second one.
     */
    private void put(TarArchiveEntry e, byte[] capability) throws IOException {
        if (capability == null) {
            tar.putArchiveEntry(e);
            return;
        }
        List<byte[]> records = new ArrayList<>();
        String name = e.getName();
        if (needsPax(name)) {
            records.add(record("path", name.getBytes(StandardCharsets.UTF_8)));
        }
        if (!e.getLinkName().isEmpty() && needsPax(e.getLinkName())) {
            records.add(record("linkpath", e.getLinkName().getBytes(StandardCharsets.UTF_8)));
        }
        records.add(record("SCHILY.xattr." + CAPABILITY, capability));
        int size = records.stream().mapToInt(r -> r.length).sum();
        TarArchiveEntry pax = new TarArchiveEntry("PaxHeaders." + (paxCount++) + "/" + shortName(name),
                TarConstants.LF_PAX_EXTENDED_HEADER_LC);
        pax.setSize(size);
        pax.setModTime(e.getLastModifiedTime());
        tar.putArchiveEntry(pax);
        for (byte[] r : records) {
            tar.write(r);
        }
        tar.closeArchiveEntry();
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_TRUNCATE);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR);
        tar.setAddPaxHeadersForNonAsciiNames(false);
        try {
            tar.putArchiveEntry(e);
        } finally {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
        }
    }

    private static boolean needsPax(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length >= TarConstants.NAMELEN || b.length != s.length();
    }

    private static String shortName(String name) {
        String n = name.replaceAll("[^\\x20-\\x7e]", "_");
        n = n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
        n = n.substring(n.lastIndexOf('/') + 1);
        return n.length() > 60 ? n.substring(0, 60) : n;
    }

    /** One PAX record: {@code "<len> <key>=<value>\n"}, len counting itself. */
    static byte[] record(String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int rest = 1 + k.length + 1 + value.length + 1;
        int len = rest + String.valueOf(rest).length();
        if (String.valueOf(len).length() != String.valueOf(rest).length()) {
            len = rest + String.valueOf(len).length();
        }
        byte[] out = new byte[len];
        byte[] l = String.valueOf(len).getBytes(StandardCharsets.US_ASCII);
        int p = 0;
        System.arraycopy(l, 0, out, p, l.length);
        p += l.length;
        out[p++] = ' ';
        System.arraycopy(k, 0, out, p, k.length);
        p += k.length;
        out[p++] = '=';
        System.arraycopy(value, 0, out, p, value.length);
        p += value.length;
        out[p] = '\n';
        return out;
    }

    /** Writes the parent directory of {@code name} first when it is not the root and not written yet. */
    private void includeParents(String name, boolean isDir) throws IOException {
        String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        int slash = trimmed.lastIndexOf('/');
        if (slash > 0) {
            String parent = trimmed.substring(0, slash);
            if (addedDirs.add(parent)) {
                FileStat fi = FileStat.of("/" + parent, source.resolve(parent));
                change(Kind.MODIFY, parent, fi);
            }
        }
        if (isDir) {
            addedDirs.add(trimmed);
        }
    }
}
