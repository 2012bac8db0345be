package io.jcontainerd.differ.walking;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves layer paths inside a root directory, following symlinks as if the root were {@code /}
 * (continuity's {@code fs.RootPath}), component by component with {@code lstat}, never letting the
 * kernel follow a link.
 *
 * <p>In {@link Mode#STRICT} a name or symlink that leads out of the root (an absolute symlink, a
 * {@code ..} above the root) is an {@link EscapeException}: layers are refused rather than bent back
 * into the root. {@link Mode#CONFINED} clamps them at the root as containerd does; it is used to read
 * parent directories' attributes from lower layers.
 */
final class RootResolver {
    /** How escapes are treated. */
    enum Mode { STRICT, CONFINED }

    /** A path that would leave the root. */
    static final class EscapeException extends IOException {
        private static final long serialVersionUID = 1L;

        EscapeException(String message) {
            super(message);
        }
    }

    private static final int MAX_LINKS = 255;

    private final Path root;
    private final Mode mode;

    RootResolver(Path root, Mode mode) {
        this.root = root;
        this.mode = mode;
    }

    Path root() {
        return root;
    }

    /**
     * Splits a tar member name into clean components ({@code .} dropped, {@code ..} applied).
     * STRICT refuses absolute names and names climbing above the root.
     */
    List<String> clean(String name) throws EscapeException {
        if (mode == Mode.STRICT && name.startsWith("/")) {
            throw new EscapeException("absolute path " + name + " in layer");
        }
        List<String> out = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (out.isEmpty()) {
                    if (mode == Mode.STRICT) {
                        throw new EscapeException("path " + name + " leaves the root");
                    }
                    continue;
                }
                out.remove(out.size() - 1);
                continue;
            }
            out.add(c);
        }
        return out;
    }

    /**
     * The real directory under the root that {@code components} name, every symlink among them
     * resolved inside the root. Missing components are appended as they are (to be created).
     */
    Path resolveDir(List<String> components) throws IOException {
        Deque<String> todo = new ArrayDeque<>(components);
        List<String> done = new ArrayList<>();
        int links = 0;
        boolean missing = false;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (done.isEmpty()) {
                    if (mode == Mode.STRICT) {
                        throw new EscapeException("symlink target leaves the root");
                    }
                    continue;
                }
                done.remove(done.size() - 1);
                continue;
            }
            done.add(c);
            if (missing) {
                continue;
            }
            Path p = join(done);
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                missing = true;
                continue;
            }
            if (!attrs.isSymbolicLink()) {
                continue;
            }
            if (++links > MAX_LINKS) {
                throw new IOException("too many links resolving " + String.join("/", components));
            }
            String target = PosixFiles.readlink(p);
            done.remove(done.size() - 1);
            if (target.startsWith("/")) {
                if (mode == Mode.STRICT) {
                    throw new EscapeException("symlink /" + String.join("/", done) + (done.isEmpty() ? "" : "/") + c
                            + " points outside the root (" + target + ")");
                }
                done.clear();
            }
            String[] parts = target.split("/");
            for (int i = parts.length - 1; i >= 0; i--) {
                todo.addFirst(parts[i]);
            }
        }
        return join(done);
    }

    /** {@code resolveDir} of all but the last component, then the last one unresolved. */
    Path resolveLeaf(List<String> components) throws IOException {
        if (components.isEmpty()) {
            return root;
        }
        Path dir = resolveDir(components.subList(0, components.size() - 1));
        return dir.resolve(components.get(components.size() - 1));
    }

    private Path join(List<String> parts) {
        Path p = root;
        for (String s : parts) {
            p = p.resolve(s);
        }
        return p;
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    static void requireExists(Path p) throws NoSuchFileException {
        if (!exists(p)) {
            throw new NoSuchFileException(p.toString());
        }
    }
}
