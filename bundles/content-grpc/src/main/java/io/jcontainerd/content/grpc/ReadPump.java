package io.jcontainerd.content.grpc;

import com.google.protobuf.UnsafeByteOperations;
import containerd.services.content.v1.ReadContentResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.jcontainerd.server.grpc.GrpcErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Streams a section of a blob in chunks of at most 1 MiB, as fast as the client takes them (sent only
 * while the call is ready, resumed by its ready handler), so a large blob never piles up in memory.
 * The offsets in the responses count from the start of the section, as containerd's do. A client that
 * cancels (ctr often does once it has what it needs) simply stops the pump. Given an executor, the
 * pump does all its reading there, its start and each resumption alike; without one, on the thread
 * that starts or resumes it.
 */
final class ReadPump implements Runnable {
    static final int CHUNK = 1 << 20;

    private final SeekableByteChannel blob;
    private final ServerCallStreamObserver<ReadContentResponse> out;
    private final long start;
    private final long size;
    private final Executor executor;
    private long sent;
    private boolean finished;

    ReadPump(SeekableByteChannel blob, ServerCallStreamObserver<ReadContentResponse> out, long start, long size,
            Executor executor) {
        this.blob = blob;
        this.out = out;
        this.start = start;
        this.size = size;
        this.executor = executor;
    }

    /** Wires the pump to the call and sends what the call will take now. */
    void start() {
        if (executor == null) {
            out.setOnCancelHandler(this::close);
            out.setOnReadyHandler(this);
            run();
            return;
        }
        out.setOnCancelHandler(() -> resume(this::close));
        out.setOnReadyHandler(() -> resume(this));
        resume(this);
    }

    /** Runs {@code step} on the executor; if that has stopped (the plugin went away), ends the call. */
    private void resume(Runnable step) {
        try {
            executor.execute(step);
        } catch (RejectedExecutionException stopped) {
            abort();
        }
    }

    private synchronized void abort() {
        if (!finished) {
            close();
            out.onError(io.grpc.Status.UNAVAILABLE.withDescription("content service stopped").asRuntimeException());
        }
    }

    @Override
    public synchronized void run() {
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

    private synchronized void close() {
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
