package io.jcontainerd.server.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Preparing and securing the path a unix socket listens on, as containerd does. */
final class UnixSockets {
    private UnixSockets() {
    }

    /** True if something accepts connections on {@code path}. */
    static boolean isLive(Path path) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Makes the parent directory (mode 0711 when created) and removes a stale socket file.
     *
     * @throws IOException if a live server already listens on {@code path}
     */
    static void prepare(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent);
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx--x--x"));
        }
        if (Files.exists(path)) {
            if (isLive(path)) {
                throw new IOException("another daemon is already serving on " + path);
            }
            Files.delete(path);
        }
    }

    /** Sets the socket's mode to 0660 and its owner to {@code uid:gid} (negative: leave as is). */
    static void secure(Path path, int uid, int gid) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        if (uid >= 0) {
            Files.setAttribute(path, "unix:uid", uid);
        }
        if (gid >= 0) {
            Files.setAttribute(path, "unix:gid", gid);
        }
    }
}
