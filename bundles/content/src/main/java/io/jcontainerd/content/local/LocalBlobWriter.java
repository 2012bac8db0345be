package io.jcontainerd.content.local;

import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.ContentWriter;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.Errdefs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * An open ingest of the {@link LocalBlobStore}: appends to {@code data} while hashing, holds the ref's
 * lock until closed or committed. Closing keeps the ingest for a later resume.
 *
 * <p>An owned buffer ({@link #writeOwned}) is hashed at once and stored to the file on {@code storer}
 * while the caller goes on (a client streaming a blob sends its next chunk meanwhile); at most one is
 * being stored at a time, and every other operation first waits for it.
 */
final class LocalBlobWriter implements ContentWriter {
    private static final CompletableFuture<Void> STORED = CompletableFuture.completedFuture(null);

    private final LocalBlobStore store;
    private final Path dir;
    private final String ref;
    private final long total;
    private final Instant startedAt;
    private final MessageDigest sha;
    private final Executor storer;
    /** The file write of the last owned buffer. */
    private CompletableFuture<Void> storing = STORED;
    private FileChannel data;
    private long offset;
    private Instant updatedAt;

    LocalBlobWriter(LocalBlobStore store, Path dir, IngestStatus resumed, MessageDigest sha, Executor storer)
            throws IOException {
        this.store = store;
        this.storer = storer;
        this.dir = dir;
        this.ref = resumed.ref();
        this.total = resumed.total();
        this.startedAt = resumed.startedAt();
        this.updatedAt = resumed.updatedAt();
        this.offset = resumed.offset();
        this.sha = sha;
        this.data = FileChannel.open(dir.resolve(LocalBlobStore.DATA), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        data.truncate(offset);
        data.position(offset);
    }

    @Override
    public IngestStatus status() {
        return new IngestStatus(ref, offset, total, null, startedAt, updatedAt);
    }

    @Override
    public void write(ByteBuffer buf) {
        settle();
        FileChannel ch = open();
        ByteBuffer view = buf.duplicate();
        store(ch, buf);
        count(view);
    }

    @Override
    public void writeOwned(ByteBuffer buf) {
        settle();
        FileChannel ch = open();
        count(buf.duplicate());
        storing = CompletableFuture.runAsync(() -> store(ch, buf), storer);
    }

    /** Adds the bytes to the digest and the offset. */
    private void count(ByteBuffer bytes) {
        offset += bytes.remaining();
        sha.update(bytes);
        updatedAt = Instant.now();
    }

    private void store(FileChannel ch, ByteBuffer buf) {
        try {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("write to ingest " + ref, e);
        }
    }

    /** Waits until the last owned buffer is in the file; its failure is thrown here, once. */
    private void settle() {
        CompletableFuture<Void> f = storing;
        if (f == STORED) {
            return;
        }
        storing = STORED;
        try {
            f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    @Override
    public void truncate(long size) {
        if (size != 0) {
            throw Errdefs.invalidArgument("Truncate: unsupported size");
        }
        settle();
        FileChannel ch = open();
        try {
            ch.truncate(0);
            ch.position(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sha.reset();
        offset = 0;
        updatedAt = Instant.now();
    }

    @Override
    public Digest digest() {
        try {
            return digestOf((MessageDigest) sha.clone());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Digest digestOf(MessageDigest md) {
        return new Digest("sha256", HexFormat.of().formatHex(md.digest()));
    }

    @Override
    public ContentInfo commit(long size, Digest expected, Map<String, String> labels) {
        try {
            settle();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        FileChannel ch = data;
        data = null;
        if (ch == null) {
            throw Errdefs.failedPrecondition("cannot commit on closed writer");
        }
        try {
            long actual;
            try (ch) {
                ch.force(true);
                actual = ch.size();
            }
            if (size > 0 && size != actual) {
                throw Errdefs.failedPrecondition("unexpected commit size %d, expected %d", actual, size);
            }
            Digest dgst = digest();
            if (expected != null && !expected.equals(dgst)) {
                throw Errdefs.failedPrecondition("unexpected commit digest %s, expected %s", dgst, expected);
            }
            store.install(dir, dgst);
            Instant now = Instant.now();
            return new ContentInfo(dgst, actual, now, now, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("commit of ingest " + ref, e);
        } finally {
            store.unlock(ref);
        }
    }

    @Override
    public void close() {
        FileChannel ch = data;
        if (ch == null) {
            return;
        }
        try {
            settle();
        } catch (RuntimeException e) {
            // the ingest keeps what reached the file; a resume starts from there
        }
        data = null;
        try (ch) {
            ch.force(false);
            LocalBlobStore.writeTime(dir.resolve(LocalBlobStore.UPDATED), updatedAt);
        } catch (IOException e) {
            // the ingest may have been aborted under us; nothing is left to keep
        } finally {
            store.unlock(ref);
        }
    }

    private FileChannel open() {
        if (data == null) {
            throw Errdefs.failedPrecondition("writer of %s is closed", ref);
        }
        return data;
    }
}
