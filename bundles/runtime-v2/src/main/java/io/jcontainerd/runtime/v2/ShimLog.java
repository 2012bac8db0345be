package io.jcontainerd.runtime.v2;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shim's log: a FIFO {@code log} in the bundle that the shim writes to, copied to the daemon's
 * stderr as containerd does. Opened read-write, so opening never blocks and a shim restart finds a
 * reader; {@link #close()} ends the copy.
 */
final class ShimLog implements AutoCloseable {
    interface LibC extends Library {
        int mkfifo(String path, int mode) throws LastErrorException;
    }

    private static final class Holder {
        static final LibC C = Native.load("c", LibC.class);
    }

    private static final int EEXIST = 17;

    private final FileChannel channel;
    private final Thread copier;

    private ShimLog(FileChannel channel, String id, PrintStream sink) {
        this.channel = channel;
        this.copier = new Thread(() -> copy(sink), "shim-log-" + id);
        copier.setDaemon(true);
        copier.start();
    }

    /** Creates (if needed) and opens the bundle's log FIFO. */
    static ShimLog open(Bundle bundle, PrintStream sink) throws IOException {
        Path fifo = bundle.path().resolve("log");
        if (!Files.exists(fifo)) {
            try {
                Holder.C.mkfifo(fifo.toString(), 0700);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EEXIST) {
                    throw new IOException("mkfifo " + fifo + ": errno " + e.getErrorCode(), e);
                }
            }
        }
        @SuppressWarnings("resource") // the channel owns the file
        FileChannel ch = new RandomAccessFile(fifo.toFile(), "rw").getChannel();
        return new ShimLog(ch, bundle.id(), sink);
    }

    private void copy(PrintStream sink) {
        ByteBuffer b = ByteBuffer.allocate(8192);
        try {
            while (channel.read(b) >= 0) {
                sink.write(b.array(), 0, b.position());
                sink.flush();
                b.clear();
            }
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
