package io.jcontainerd.content;

import io.jcontainerd.digest.Digest;
import java.io.Closeable;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * An open ingest (containerd's {@code content.Writer}). It holds the ingest's lock until closed; a
 * closed, uncommitted ingest stays on disk and can be resumed by opening a writer with the same ref.
 */
public interface ContentWriter extends Closeable {
    /** The ingest's current status. */
    IngestStatus status();

    /** Appends {@code data} at the current offset. */
    void write(ByteBuffer data);

    /**
     * Appends {@code data} as {@link #write} does, for a caller that hands the buffer over: nothing
     * changes its bytes any more, so the writer may still be storing them after this returns (the
     * offset and digest already count them). A failure to store them then fails the next write,
     * truncate or commit. The default stores them before returning.
     */
    default void writeOwned(ByteBuffer data) {
        write(data);
    }

    /** Cuts the ingest back to {@code size} bytes (only 0 is required, as containerd). */
    void truncate(long size);

    /** The digest of the bytes written so far. */
    Digest digest();

    /**
     * Moves the ingest into the store as a blob, checking it against {@code size} (when &gt; 0) and
     * {@code expected} (when not {@code null}).
     *
     * @throws io.jcontainerd.errdefs.ContainerdException FailedPrecondition on a size or digest mismatch
     *         (the ingest is then kept, nothing is committed), AlreadyExists when the blob is already
     *         in the namespace (for a {@link BlobStore} writer: already in the store; the ingest is
     *         then removed)
     */
    ContentInfo commit(long size, Digest expected, Map<String, String> labels);

    @Override
    void close();
}
