package io.jcontainerd.content.grpc;

import com.google.protobuf.UnsafeByteOperations;
import containerd.services.content.v1.ReadContentResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.jcontainerd.server.grpc.GrpcErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * Streams a section of a blob in chunks of at most 1 MiB, as fast as the client takes them (sent only
 * while the call is ready, resumed by its ready handler), so a large blob never piles up in memory.
 * The offsets in the responses count from the start of the section, as containerd's do. A client that
 * cancels (ctr often does once it has what it needs) simply stops the pump.
 */
final class ReadPump implements Runnable {
    static final int CHUNK = 1 << 20;

    private final SeekableByteChannel blob;
    private final ServerCallStreamObserver<ReadContentResponse> out;
    private final long start;
    private final long size;
    private long sent;
    private boolean finished;

    ReadPump(SeekableByteChannel blob, ServerCallStreamObserver<ReadContentResponse> out, long start, long size) {
        this.blob = blob;
        this.out = out;
        this.start = start;
        this.size = size;
    }

    /** Wires the pump to the call and sends what the call will take now. */
    void start() {
        out.setOnCancelHandler(this::close);
        out.setOnReadyHandler(this);
        run();
    }

    @Override
    public void run() {
        if (finished) {
            return;
        }
        try {
            while (sent < size && out.isReady() && !out.isCancelled()) {
                int n = (int) Math.min(CHUNK, size - sent);
                ByteBuffer buf = ByteBuffer.allocate(n);
                blob.position(start + sent);
                while (buf.hasRemaining()) {
                    if (blob.read(buf) < 0) {
                        throw new IOException("blob ended at " + (start + sent + buf.position()));
                    }
                }
                buf.flip(); // a fresh buffer per chunk, so the message may wrap it without a copy
                out.onNext(ReadContentResponse.newBuilder().setOffset(sent).setData(UnsafeByteOperations.unsafeWrap(buf)).build());
                sent += n;
            }
            if (sent >= size && !out.isCancelled()) {
                close();
                out.onCompleted();
            }
        } catch (IOException | RuntimeException e) {
            close();
            out.onError(GrpcErrors.toStatusException(e));
        }
    }

    private void close() {
        if (!finished) {
            finished = true;
            try {
                blob.close();
            } catch (IOException ignored) {
                // read-only channel: nothing to lose
            }
        }
    }
}
