package io.jcontainerd.differ.walking;

import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.ContentStore;
import io.jcontainerd.content.ContentWriter;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.filters.Filter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for the content store (built on another branch): blobs as files in a directory, one
 * namespace, the calls the differ makes. Records the lease and ref of each writer.
 */
final class MemoryContentStore implements ContentStore {
    private final Path dir;
    final Map<Digest, ContentInfo> infos = new HashMap<>();
    final Map<String, ByteArrayOutputStream> ingests = new HashMap<>();
    String lastLease;
    String lastRef;
    int aborts;

    MemoryContentStore(Path dir) {
        this.dir = dir;
    }

    static Digest sha256(byte[] data) {
        try {
            return new Digest("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Digest put(byte[] data) {
        Digest d = sha256(data);
        try {
            Files.write(dir.resolve(d.encoded()), data);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        infos.put(d, new ContentInfo(d, data.length, Instant.now(), Instant.now(), Map.of()));
        return d;
    }

    byte[] read(Digest d) throws java.io.IOException {
        return Files.readAllBytes(dir.resolve(d.encoded()));
    }

    @Override
    public ContentInfo info(String namespace, Digest digest) {
        ContentInfo i = infos.get(digest);
        if (i == null) {
            throw Errdefs.notFound("content digest %s", digest);
        }
        return i;
    }

    @Override
    public ContentInfo update(String namespace, ContentInfo info, List<String> fieldPaths) {
        ContentInfo old = info(namespace, info.digest());
        Map<String, String> labels = new HashMap<>(old.labels());
        for (String f : fieldPaths) {
            String k = f.substring("labels.".length());
            labels.put(k, info.labels().get(k));
        }
        ContentInfo n = new ContentInfo(old.digest(), old.size(), old.createdAt(), Instant.now(), labels);
        infos.put(n.digest(), n);
        return n;
    }

    @Override
    public List<ContentInfo> list(String namespace, Filter filter) {
        return List.copyOf(infos.values());
    }

    @Override
    public void delete(String namespace, Digest digest) {
        infos.remove(digest);
    }

    @Override
    public SeekableByteChannel open(String namespace, Digest digest) {
        info(namespace, digest);
        try {
            return Files.newByteChannel(dir.resolve(digest.encoded()), StandardOpenOption.READ);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public IngestStatus status(String namespace, String ref) {
        throw Errdefs.notFound("ref %s", ref);
    }

    @Override
    public List<IngestStatus> listStatuses(String namespace, Filter filter) {
        return List.of();
    }

    @Override
    public void abort(String namespace, String ref) {
        aborts++;
        ingests.remove(ref);
    }

    @Override
    public ContentWriter writer(String namespace, String lease, String ref, long total, Digest expected) {
        lastLease = lease;
        lastRef = ref;
        ByteArrayOutputStream buf = ingests.computeIfAbsent(ref, r -> new ByteArrayOutputStream());
        return new ContentWriter() {
            @Override
            public IngestStatus status() {
                return new IngestStatus(ref, buf.size(), total, expected, Instant.now(), Instant.now());
            }

            @Override
            public void write(ByteBuffer data) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                buf.writeBytes(b);
            }

            @Override
            public void truncate(long size) {
                buf.reset();
            }

            @Override
            public Digest digest() {
                return sha256(buf.toByteArray());
            }

            @Override
            public ContentInfo commit(long size, Digest exp, Map<String, String> labels) {
                byte[] data = buf.toByteArray();
                Digest d = sha256(data);
                if (exp != null && !exp.equals(d)) {
                    throw Errdefs.failedPrecondition("unexpected commit digest %s, expected %s", d, exp);
                }
                if (infos.containsKey(d)) {
                    throw Errdefs.alreadyExists("content %s", d);
                }
                put(data);
                ingests.remove(ref);
                ContentInfo i = new ContentInfo(d, data.length, Instant.now(), Instant.now(), labels);
                infos.put(d, i);
                return i;
            }

            @Override
            public void close() {
            }
        };
    }
}
