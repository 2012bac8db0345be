package io.jcontainerd.content.local;

import io.jcontainerd.content.BlobStore;
import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.ContentWriter;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.Errdefs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The content store on the local filesystem, laid out as containerd's {@code content/local}:
 * <pre>
 * blobs/sha256/&lt;hex&gt;              committed blobs, read-only
 * ingest/&lt;sha256(ref)&gt;/ref          the ingest's ref
 *                     /data         bytes written so far (the offset is its size)
 *                     /total        expected size, when known
 *                     /startedat    RFC 3339 times
 *                     /updatedat
 * </pre>
 * Everything an ingest needs is on disk, so a write survives a restart and resumes by ref.
 */
public final class LocalBlobStore implements BlobStore {
    static final String DATA = "data";
    static final String REF = "ref";
    static final String TOTAL = "total";
    static final String STARTED = "startedat";
    static final String UPDATED = "updatedat";

    private final Path root;
    private final Path blobs;
    private final Path ingests;
    private final IngestLocks locks = new IngestLocks();
    /** Stores the buffers writers were handed (see LocalBlobWriter); its threads end when idle. */
    private final java.util.concurrent.ExecutorService storer = new java.util.concurrent.ThreadPoolExecutor(0,
            Integer.MAX_VALUE, 10, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
            r -> {
                Thread t = new Thread(r, "content-ingest");
                t.setDaemon(true);
                return t;
            });

    /** Opens (creating) the store at {@code root}. */
    public LocalBlobStore(Path root) {
        this.root = root;
        this.blobs = root.resolve("blobs");
        this.ingests = root.resolve("ingest");
        try {
            Files.createDirectories(ingests);
        } catch (IOException e) {
            throw new UncheckedIOException("content store " + root, e);
        }
    }

    /** The store's directory. */
    public Path root() {
        return root;
    }

    @Override
    public Path path(Digest digest) {
        Path p = blobPath(digest);
        return Files.isRegularFile(p) ? p : null;
    }

    Path blobPath(Digest digest) {
        return blobs.resolve(digest.algorithm()).resolve(digest.encoded());
    }

    @Override
    public ContentInfo info(Digest digest) {
        try {
            BasicFileAttributes a = Files.readAttributes(blobPath(digest), BasicFileAttributes.class);
            return new ContentInfo(digest, a.size(), a.lastModifiedTime().toInstant(),
                    a.lastAccessTime().toInstant(), Map.of());
        } catch (NoSuchFileException e) {
            throw Errdefs.notFound("content %s", digest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<Digest> list() {
        List<Digest> out = new ArrayList<>();
        if (!Files.isDirectory(blobs)) {
            return out;
        }
        try (DirectoryStream<Path> algorithms = Files.newDirectoryStream(blobs)) {
            for (Path alg : algorithms) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(alg)) {
                    for (Path f : files) {
                        try {
                            out.add(Digest.parse(alg.getFileName() + ":" + f.getFileName()));
                        } catch (Digest.InvalidDigestException e) {
                            // not a blob of ours (a stray file): not listed, as containerd skips it
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public boolean delete(Digest digest) {
        try {
            return Files.deleteIfExists(blobPath(digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<String> ingests() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(ingests)) {
            for (Path d : dirs) {
                try {
                    out.add(Files.readString(d.resolve(REF), StandardCharsets.UTF_8));
                } catch (NoSuchFileException e) {
                    // being created or removed right now
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public IngestStatus status(String ref) {
        try {
            return readStatus(ingestDir(ref));
        } catch (NoSuchFileException e) {
            throw Errdefs.notFound("ingest ref %s", Errdefs.q(ref));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The status recorded in an ingest directory; NoSuchFileException when it is not (fully) there. */
    IngestStatus readStatus(Path dir) throws IOException {
        BasicFileAttributes data = Files.readAttributes(dir.resolve(DATA), BasicFileAttributes.class);
        String ref = Files.readString(dir.resolve(REF), StandardCharsets.UTF_8);
        Instant started = readTime(dir.resolve(STARTED));
        Instant updated = readTime(dir.resolve(UPDATED));
        // updatedat is written when a writer closes; the data's mtime may be later
        Instant modified = data.lastModifiedTime().toInstant();
        if (modified.isAfter(updated)) {
            updated = modified;
        }
        return new IngestStatus(ref, data.size(), readTotal(dir), null, started, updated);
    }

    private static long readTotal(Path dir) {
        try {
            return Long.parseLong(Files.readString(dir.resolve(TOTAL), StandardCharsets.UTF_8).strip());
        } catch (IOException | NumberFormatException e) {
            return 0; // unknown, as containerd treats a missing or corrupt total
        }
    }

    @Override
    public ContentWriter writer(String ref, long total) {
        if (ref == null || ref.isEmpty()) {
            throw Errdefs.invalidArgument("ref must not be empty");
        }
        locks.lock(ref);
        try {
            return open(ref, total);
        } catch (IOException e) {
            locks.unlock(ref);
            throw new UncheckedIOException("ingest " + ref, e);
        } catch (RuntimeException e) {
            locks.unlock(ref);
            throw e;
        }
    }

    private ContentWriter open(String ref, long total) throws IOException {
        Path dir = ingestDir(ref);
        MessageDigest sha = sha256();
        IngestStatus resumed = null;
        if (Files.isDirectory(dir)) {
            resumed = resume(dir, ref, total, sha);
        }
        if (resumed == null) {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(DATA));
            Files.deleteIfExists(dir.resolve(TOTAL));
            Instant now = Instant.now();
            writeAtomically(dir.resolve(REF), ref);
            writeTime(dir.resolve(STARTED), now);
            writeTime(dir.resolve(UPDATED), now);
            if (total > 0) {
                writeAtomically(dir.resolve(TOTAL), Long.toString(total));
            }
            resumed = new IngestStatus(ref, 0, total, null, now, now);
            sha.reset();
        }
        return new LocalBlobWriter(this, dir, resumed, sha, storer);
    }

    /** The ingest on disk with its digest fed into {@code sha}, or null when it cannot be resumed. */
    private IngestStatus resume(Path dir, String ref, long total, MessageDigest sha) throws IOException {
        IngestStatus st;
        try {
            st = readStatus(dir);
        } catch (NoSuchFileException | RuntimeException e) {
            return null; // half-created: start again
        }
        if (!st.ref().equals(ref) || (total > 0 && st.total() > 0 && total != st.total())) {
            return null;
        }
        try (var in = Files.newInputStream(dir.resolve(DATA))) {
            byte[] buf = new byte[1 << 20];
            long read = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                read += n;
            }
            return new IngestStatus(ref, read, st.total(), null, st.startedAt(), st.updatedAt());
        }
    }

    /**
     * Moves a verified ingest's data to its blob path: AlreadyExists (and the ingest removed) when the
     * blob is there already. The blob appears whole or not at all (one rename in one filesystem).
     */
    void install(Path dir, Digest digest) throws IOException {
        Path target = blobPath(digest);
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            deleteTree(dir);
            throw Errdefs.alreadyExists("content %s", digest);
        }
        Path data = dir.resolve(DATA);
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
        Files.move(data, target, StandardCopyOption.ATOMIC_MOVE);
        Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.from(Instant.now()));
        fsyncDirectory(target.getParent());
        deleteTree(dir);
    }

    @Override
    public boolean abort(String ref) {
        Path dir = ingestDir(ref);
        if (!Files.exists(dir)) {
            return false;
        }
        try {
            deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    }

    void unlock(String ref) {
        locks.unlock(ref);
    }

    /** The ingest directory of {@code ref}: a digest of the ref keeps the path short and safe. */
    Path ingestDir(String ref) {
        return ingests.resolve(HexFormat.of().formatHex(sha256().digest(ref.getBytes(StandardCharsets.UTF_8))));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void writeTime(Path p, Instant t) throws IOException {
        writeAtomically(p, t.toString());
    }

    static Instant readTime(Path p) throws IOException {
        return OffsetDateTime.parse(Files.readString(p, StandardCharsets.UTF_8).strip()).toInstant();
    }

    private static void writeAtomically(Path p, String text) throws IOException {
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void fsyncDirectory(Path dir) {
        try (var ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // best effort: some filesystems refuse to sync directories
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
