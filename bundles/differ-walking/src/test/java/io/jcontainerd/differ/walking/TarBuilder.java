package io.jcontainerd.differ.walking;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds layer tars in memory with commons-compress's writer. */
final class TarBuilder {
    static final FileTime T0 = FileTime.from(Instant.parse("2020-01-02T03:04:05Z"));

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;
    private int uid;
    private int gid;
    private FileTime mtime = T0;

    TarBuilder() {
        tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    TarBuilder owner(int u, int g) {
        uid = u;
        gid = g;
        return this;
    }

    TarBuilder mtime(FileTime t) {
        mtime = t;
        return this;
    }

    private TarArchiveEntry entry(String name, byte flag, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name, flag, true);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(mtime);
        return e;
    }

    private TarBuilder put(TarArchiveEntry e, byte[] data, Map<String, String> pax) {
        try {
            if (pax != null) {
                pax.forEach(e::addPaxHeader);
            }
            if (data != null) {
                e.setSize(data.length);
            }
            tar.putArchiveEntry(e);
            if (data != null) {
                tar.write(data);
            }
            tar.closeArchiveEntry();
            return this;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    TarBuilder dir(String name, int mode) {
        return put(entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, mode), null, null);
    }

    TarBuilder file(String name, String content, int mode) {
        return file(name, content, mode, null);
    }

    TarBuilder file(String name, String content, int mode, Map<String, String> pax) {
        return put(entry(name, TarConstants.LF_NORMAL, mode), content.getBytes(StandardCharsets.UTF_8), pax);
    }

    TarBuilder symlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, 0777);
        e.setLinkName(target);
        return put(e, null, null);
    }

    TarBuilder link(String name, String target) {
        return link(name, target, 0644);
    }

    /** A hard link; as with tar(1), its header carries the file's mode (applied to the shared inode). */
    TarBuilder link(String name, String target, int mode) {
        TarArchiveEntry e = entry(name, TarConstants.LF_LINK, mode);
        e.setLinkName(target);
        return put(e, null, null);
    }

    TarBuilder device(String name, byte flag, int mode, int major, int minor) {
        TarArchiveEntry e = entry(name, flag, mode);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return put(e, null, null);
    }

    /** A PAX global header, as git archive writes first. */
    TarBuilder globalHeader(String key, String value) {
        TarArchiveEntry e = entry("pax_global_header", TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER, 0666);
        e.addPaxHeader(key, value);
        try {
            tar.putArchiveEntry(e); // written at once, with no entry left open
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    TarBuilder fifo(String name, int mode) {
        return put(entry(name, TarConstants.LF_FIFO, mode), null, null);
    }

    byte[] build() {
        try {
            tar.finish();
            tar.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
