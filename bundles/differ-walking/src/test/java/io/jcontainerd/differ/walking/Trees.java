package io.jcontainerd.differ.walking;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Describes a directory tree on disk for comparisons (root excluded). */
final class Trees {
    private Trees() {
    }

    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.filter(p -> !p.equals(root)).toList();
        }
        Map<Long, String> inodes = new TreeMap<>();
        for (Path p : all) {
            Map<String, Object> st = PosixFiles.lstat(p);
            if ((Integer) st.get("nlink") > 1 && ((Integer) st.get("mode") & PosixFiles.S_IFMT) == PosixFiles.S_IFREG) {
                String rel = root.relativize(p).toString();
                inodes.merge((Long) st.get("ino"), rel, (x, y) -> x.compareTo(y) <= 0 ? x : y);
            }
        }
        for (Path p : all) {
            String rel = root.relativize(p).toString();
            Map<String, Object> st = PosixFiles.lstat(p);
            int mode = (Integer) st.get("mode");
            StringBuilder b = new StringBuilder();
            b.append(String.format("mode=%o uid=%s gid=%s", mode, st.get("uid"), st.get("gid")));
            int type = mode & PosixFiles.S_IFMT;
            b.append(" mtime=").append(((java.nio.file.attribute.FileTime) st.get("lastModifiedTime"))
                    .toInstant().getEpochSecond());
            if (type == PosixFiles.S_IFREG) {
                b.append(" sha=").append(sha(p));
                long ino = (Long) st.get("ino");
                if (inodes.containsKey(ino)) {
                    b.append(" linkgroup=").append(inodes.get(ino));
                }
            } else if (type == PosixFiles.S_IFLNK) {
                b.append(" target=").append(PosixFiles.readlink(p));
            } else if (type == PosixFiles.S_IFCHR || type == PosixFiles.S_IFBLK) {
                long rdev = (Long) st.get("rdev");
                b.append(" dev=").append(PosixFiles.major(rdev)).append(',').append(PosixFiles.minor(rdev));
            }
            List<String> xs = new ArrayList<>(PosixFiles.llistxattr(p));
            xs.sort(null);
            for (String x : xs) {
                b.append(' ').append(x).append('=').append(HexFormat.of().formatHex(PosixFiles.lgetxattr(p, x)));
            }
            out.put(rel, b.toString());
        }
        return out;
    }

    static String sha(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(in.readAllBytes());
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static int mode(Path p) throws IOException {
        return (Integer) PosixFiles.lstat(p).get("mode");
    }
}
