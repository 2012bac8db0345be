package io.jcontainerd.launcher;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One daemon per socket. Holds an exclusive lock on {@code <socket>.lock} for the daemon's life (the
 * kernel drops it when the process dies, even by SIGKILL) and refuses to start when another process
 * holds it or when anything already answers on the socket.
 */
final class SocketLock implements AutoCloseable {
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;

    private SocketLock(Path lockFile, FileChannel channel, FileLock lock) {
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the socket, or explains in the exception why another daemon has it. */
    static SocketLock acquire(Path socket) throws IOException {
        Path dir = socket.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        }
        Path lockFile = socket.resolveSibling(socket.getFileName() + ".lock");
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String holder = Files.readString(lockFile, StandardCharsets.UTF_8).strip();
            ch.close();
            throw new IOException("another jcontainerd" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + " is already serving on " + socket + ": refusing to start");
        }
        if (isLive(socket)) {
            lock.release();
            ch.close();
            throw new IOException("another daemon is already serving on " + socket + ": refusing to start");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        return new SocketLock(lockFile, ch, lock);
    }

    static boolean isLive(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(lockFile);
        } finally {
            lock.release();
            channel.close();
        }
    }
}
