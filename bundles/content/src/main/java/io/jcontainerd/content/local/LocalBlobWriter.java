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

/**
 * An open ingest of the {@link LocalBlobStore}: appends to {@code data} while hashing, holds the ref's
 * lock until closed or committed. Closing keeps the ingest for a later resume.
 */
final class LocalBlobWriter implements ContentWriter {
    private final LocalBlobStore store;
    private final Path dir;
    private final String ref;
    private final long total;
    private final Instant startedAt;
    private final MessageDigest sha;
    private FileChannel data;
    private long offset;
    private Instant updatedAt;

    LocalBlobWriter(LocalBlobStore store, Path dir, IngestStatus resumed, MessageDigest sha) throws IOException {
        this.store = store;
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
        FileChannel ch = open();
        ByteBuffer view = buf.duplicate();
        int n = buf.remaining();
        try {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("write to ingest " + ref, e);
        }
        sha.update(view);
        offset += n;
        updatedAt = Instant.now();
    }

    @Override
    public void truncate(long size) {
        if (size != 0) {
            throw Errdefs.invalidArgument("Truncate: unsupported size");
        }
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
