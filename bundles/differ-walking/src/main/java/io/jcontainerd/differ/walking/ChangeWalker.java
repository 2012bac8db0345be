package io.jcontainerd.differ.walking;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * continuity's double-walk diff ({@code fs.Changes}): walks two trees in the same lexical order and
 * reports each path as added, modified, deleted or, for hard-linked files that did not change,
 * unmodified. Below a deleted directory nothing more is reported.
 */
final class ChangeWalker {
    /** containerd's change kinds. */
    enum Kind { UNMODIFIED, ADD, MODIFY, DELETE }

    /** Receives the changes in walk order. {@code stat} is {@code null} for deletions. */
    interface Handler {
        void change(Kind kind, String path, FileStat stat) throws IOException;
    }

    private ChangeWalker() {
    }

    static void changes(Path lower, Path upper, Handler handler) throws IOException {
        Walk a = new Walk(lower);
        Walk b = new Walk(upper);
        FileStat f1 = null;
        FileStat f2 = null;
        String rmdir = null;
        while (true) {
            if (f1 == null) {
                f1 = a.next();
            }
            if (f2 == null) {
                f2 = b.next();
            }
            if (f1 == null && f2 == null) {
                return;
            }
            Kind k;
            int cmp = f1 == null ? 1 : f2 == null ? -1 : directoryCompare(f1.path(), f2.path());
            if (cmp > 0) {
                rmdir = null;
                handler.change(Kind.ADD, f2.path(), f2);
                f2 = null;
            } else if (cmp < 0) {
                if (rmdir != null && f1.path().startsWith(rmdir)) {
                    f1 = null;
                    continue;
                }
                rmdir = f1.isDir() ? f1.path() + "/" : null;
                handler.change(Kind.DELETE, f1.path(), null);
                f1 = null;
            } else {
                boolean same = sameFile(f1, f2);
                rmdir = f1.isDir() && !f2.isDir() ? f1.path() + "/" : null;
                FileStat f = f2;
                f1 = null;
                f2 = null;
                if (same) {
                    if (!f.isHardlinked()) {
                        continue;
                    }
                    k = Kind.UNMODIFIED;
                } else {
                    k = Kind.MODIFY;
                }
                handler.change(k, f.path(), f);
            }
        }
    }

    /** Path order with the separator sorting before every other byte. */
    static int directoryCompare(String a, String b) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        int l = Math.min(x.length, y.length);
        for (int i = 0; i < l; i++) {
            int c1 = x[i] == '/' ? 0 : x[i] & 0xff;
            int c2 = y[i] == '/' ? 0 : y[i] & 0xff;
            if (c1 != c2) {
                return c1 < c2 ? -1 : 1;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    static boolean sameFile(FileStat f1, FileStat f2) throws IOException {
        if (f1.dev() == f2.dev() && f1.ino() == f2.ino()) {
            return true;
        }
        if (f1.mode() != f2.mode() || f1.uid() != f2.uid() || f1.gid() != f2.gid() || f1.rdev() != f2.rdev()) {
            return false;
        }
        if (!Arrays.equals(PosixFiles.lgetxattr(f1.full(), "security.capability"),
                PosixFiles.lgetxattr(f2.full(), "security.capability"))) {
            return false;
        }
        if (f1.isDir()) {
            return true;
        }
        if (f1.size() != f2.size()) {
            return false;
        }
        var t1 = f1.mtime().toInstant();
        var t2 = f2.mtime().toInstant();
        if (t1.getEpochSecond() != t2.getEpochSecond()) {
            return false;
        }
        if (t1.getNano() == 0 && t2.getNano() == 0) {
            if (f1.isSymlink()) {
                return PosixFiles.readlink(f1.full()).equals(PosixFiles.readlink(f2.full()));
            }
            return f1.size() == 0 || sameContent(f1.full(), f2.full());
        }
        return t1.getNano() == t2.getNano();
    }

    private static boolean sameContent(Path p1, Path p2) throws IOException {
        try (InputStream a = Files.newInputStream(p1); InputStream b = Files.newInputStream(p2)) {
            byte[] x = new byte[32768];
            byte[] y = new byte[32768];
            while (true) {
                int n1 = a.readNBytes(x, 0, x.length);
                int n2 = b.readNBytes(y, 0, y.length);
                if (n1 != n2 || !Arrays.equals(x, 0, n1, y, 0, n2)) {
                    return false;
                }
                if (n1 < x.length) {
                    return true;
                }
            }
        }
    }

    /** A lazy pre-order walk (filepath.Walk): each directory's entries sorted by name bytes. */
    static final class Walk {
        private final Path root;
        private final Deque<Deque<FileStat>> stack = new ArrayDeque<>();

        Walk(Path root) throws IOException {
            this.root = root;
            stack.push(list(root, ""));
        }

        FileStat next() throws IOException {
            while (!stack.isEmpty()) {
                Deque<FileStat> top = stack.peek();
                FileStat f = top.pollFirst();
                if (f == null) {
                    stack.pop();
                    continue;
                }
                if (f.isDir()) {
                    stack.push(list(f.full(), f.path()));
                }
                return f;
            }
            return null;
        }

        private Deque<FileStat> list(Path dir, String rel) throws IOException {
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    names.add(p.getFileName().toString());
                }
            }
            names.sort((x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8),
                    y.getBytes(StandardCharsets.UTF_8)));
            Deque<FileStat> out = new ArrayDeque<>(names.size());
            for (String n : names) {
                out.add(FileStat.of(rel + "/" + n, dir.resolve(n)));
            }
            return out;
        }

        Path root() {
            return root;
        }
    }
}
