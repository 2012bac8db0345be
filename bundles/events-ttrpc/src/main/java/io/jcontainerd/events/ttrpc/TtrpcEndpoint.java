package io.jcontainerd.events.ttrpc;

import io.jcontainerd.events.EventForwarder;
import io.jcontainerd.ttrpc.PeerCheck;
import io.jcontainerd.ttrpc.TtrpcServer;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The daemon's ttrpc socket, as containerd's main ttrpc endpoint: the events service on a unix socket
 * of mode 0660 (owner and group as configured), for processes of the daemon's own user and group only.
 * Plain Java; {@link TtrpcEndpointComponent} wires it.
 */
public final class TtrpcEndpoint implements AutoCloseable {
    private final TtrpcServer server;
    private final Path socket;

    /**
     * Listens on {@code socket} at once.
     *
     * @throws IOException if the socket cannot be made, or another server is live on it
     */
    public TtrpcEndpoint(Path socket, int uid, int gid, EventForwarder forwarder) throws IOException {
        this.socket = socket;
        prepare(socket);
        this.server = new TtrpcServer(PeerCheck.sameUser());
        server.register(EventsTtrpcService.SERVICE, new EventsTtrpcService(forwarder).methods());
        try {
            server.serve(socket);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            if (uid >= 0) {
                Files.setAttribute(socket, "unix:uid", uid);
            }
            if (gid >= 0) {
                Files.setAttribute(socket, "unix:gid", gid);
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public Path socket() {
        return socket;
    }

    /** Stops serving and removes the socket. */
    @Override
    public void close() {
        server.close();
    }

    /** Makes the parent directory (0711 when created) and removes a stale socket, refusing a live one. */
    private static void prepare(Path socket) throws IOException {
        Path parent = socket.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent);
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx--x--x"));
        }
        if (Files.exists(socket)) {
            if (isLive(socket)) {
                throw new IOException("another daemon is already serving on " + socket);
            }
            Files.delete(socket);
        }
    }

    private static boolean isLive(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
