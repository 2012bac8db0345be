package io.jcontainerd.ttrpc.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One ttrpc connection's framing: a reader thread that delivers frames to a {@link Listener}, and a
 * writer thread that sends queued frames, so that a caller's thread never touches the channel (an
 * interrupted caller would otherwise close the whole connection, which NIO does to interrupted I/O).
 *
 * <p>A frame is a 10-byte header (length of the payload as uint32 big endian, stream id as uint32 big
 * endian, message type, flags) and the payload. Payloads longer than {@link #MAX_MESSAGE_LENGTH} are
 * read and thrown away, and reported through {@link Listener#oversize}, as Go's ttrpc does.
 */
public final class Connection implements AutoCloseable {
    public static final int HEADER_LENGTH = 10;
    /** The largest payload either side accepts: 4 MiB. */
    public static final int MAX_MESSAGE_LENGTH = 4 << 20;
    public static final byte TYPE_REQUEST = 1;
    public static final byte TYPE_RESPONSE = 2;

    /** Receives what the reader thread reads; called on that thread, one frame at a time. */
    public interface Listener {
        void frame(int streamId, byte type, byte flags, byte[] payload);

        /** A frame whose payload exceeded the limit; the payload has been skipped. */
        void oversize(int streamId, byte type, long length);

        /** The connection is gone: {@code cause} is null when it was closed on this side. Called once. */
        void closed(Throwable cause);
    }

    private static final ByteBuffer[] STOP = new ByteBuffer[0];

    private final SocketChannel channel;
    private final String name;
    private final Listener listener;
    private final LinkedBlockingQueue<ByteBuffer[]> outgoing = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    public Connection(SocketChannel channel, String name, Listener listener) {
        this.channel = channel;
        this.name = name;
        this.listener = listener;
    }

    /** Starts the reader and writer threads. */
    public void start() {
        Thread reader = new Thread(this::readLoop, name + "-reader");
        reader.setDaemon(true);
        Thread writer = new Thread(this::writeLoop, name + "-writer");
        writer.setDaemon(true);
        writer.start();
        reader.start();
    }

    /** Queues a frame; false if the connection is closed. The payload must not exceed the limit. */
    public boolean send(int streamId, byte type, byte[] payload) {
        if (closed.get()) {
            return false;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
        header.putInt(payload.length).putInt(streamId).put(type).put((byte) 0).flip();
        outgoing.add(new ByteBuffer[] {header, ByteBuffer.wrap(payload)});
        return !closed.get();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Closes the connection from this side. */
    @Override
    public void close() {
        shutdown(null);
    }

    private void shutdown(Throwable cause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do with it
        }
        outgoing.add(STOP);
        listener.closed(cause);
    }

    private void readLoop() {
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
        try {
            while (!closed.get()) {
                header.clear();
                if (!readFully(header, true)) {
                    shutdown(new EOFException("connection closed by peer"));
                    return;
                }
                header.flip();
                long length = Integer.toUnsignedLong(header.getInt());
                int streamId = header.getInt();
                byte type = header.get();
                byte flags = header.get();
                if (length > MAX_MESSAGE_LENGTH) {
                    discard(length);
                    listener.oversize(streamId, type, length);
                    continue;
                }
                ByteBuffer payload = ByteBuffer.allocate((int) length);
                readFully(payload, false);
                listener.frame(streamId, type, flags, payload.array());
            }
        } catch (IOException | RuntimeException e) {
            shutdown(e);
        }
    }

    /** Fills {@code buf}; false on a clean end of stream before the first byte when {@code eofOk}. */
    private boolean readFully(ByteBuffer buf, boolean eofOk) throws IOException {
        boolean first = true;
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                if (first && eofOk && buf.position() == 0) {
                    return false;
                }
                throw new EOFException("connection closed by peer in the middle of a message");
            }
            first = false;
        }
        return true;
    }

    private void discard(long length) throws IOException {
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        long left = length;
        while (left > 0) {
            sink.clear().limit((int) Math.min(sink.capacity(), left));
            readFully(sink, false);
            left -= sink.limit();
        }
    }

    private void writeLoop() {
        List<ByteBuffer[]> batch = new ArrayList<>();
        try {
            while (true) {
                batch.add(outgoing.take());
                outgoing.drainTo(batch, 64);
                List<ByteBuffer> buffers = new ArrayList<>(batch.size() * 2);
                for (ByteBuffer[] frame : batch) {
                    if (frame == STOP) {
                        return;
                    }
                    buffers.add(frame[0]);
                    buffers.add(frame[1]);
                }
                batch.clear();
                ByteBuffer[] all = buffers.toArray(ByteBuffer[]::new);
                long left = 0;
                for (ByteBuffer b : all) {
                    left += b.remaining();
                }
                while (left > 0) {
                    left -= channel.write(all);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown(e);
        } catch (IOException | RuntimeException e) {
            shutdown(e);
        }
    }
}
