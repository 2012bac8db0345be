package io.jcontainerd.differ.walking;

import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.ContentStore;
import io.jcontainerd.content.ContentWriter;
import io.jcontainerd.diff.Differ;
import io.jcontainerd.differ.walking.LayerApplier.Whiteouts;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.mount.Mounter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * The walking differ (containerd's {@code diff/walking} comparer with the {@code diff/apply}
 * file-system applier), reading and writing blobs through the namespaced content store.
 */
public final class WalkingDiffer implements Differ {
    static final String UNCOMPRESSED_LABEL = "containerd.io/uncompressed";

    private final ContentStore content;
    private final MountedDirs dirs;

    /**
     * @param content   the namespaced content store
     * @param mounter   performs temporary mounts (may be {@code null} when only bind mounts are used)
     * @param tempMounts where temporary mount points are created
     */
    public WalkingDiffer(ContentStore content, Mounter mounter, Path tempMounts) {
        this.content = content;
        this.dirs = new MountedDirs(mounter, tempMounts);
    }

    @Override
    public Descriptor apply(String namespace, Descriptor layer, List<Mount> mounts, Map<String, byte[]> payloads) {
        LayerMediaTypes.compression(layer.mediaType());
        SeekableByteChannel ch;
        try {
            ch = content.open(namespace, layer.digest());
        } catch (ContainerdException e) {
            throw e.wrap("failed to get reader from content store");
        }
        try (InputStream raw = Channels.newInputStream(ch)) {
            DigestingInputStream tar = new DigestingInputStream(LayerMediaTypes.decompress(layer.mediaType(), raw));
            applyTo(mounts, tar);
            tar.drain();
            return new Descriptor(LayerMediaTypes.OCI_LAYER, tar.digest(), tar.count(), null);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** Unpacks the tar stream {@code tar} onto {@code mounts}, as containerd's apply on Linux. */
    void applyTo(List<Mount> mounts, InputStream tar) throws IOException {
        if (mounts.size() == 1 && mounts.get(0).type().equals("overlay")) {
            String upper = null;
            List<Path> lowers = new ArrayList<>();
            for (String o : mounts.get(0).options()) {
                if (o.startsWith("upperdir=")) {
                    upper = o.substring("upperdir=".length());
                } else if (o.startsWith("lowerdir=")) {
                    for (String l : o.substring("lowerdir=".length()).split(":")) {
                        lowers.add(Path.of(l));
                    }
                }
            }
            if (upper != null) {
                new LayerApplier(Path.of(upper), Whiteouts.OVERLAY, lowers).apply(tar);
                return;
            }
        }
        dirs.with(mounts, false, root -> {
            new LayerApplier(root, Whiteouts.REMOVE, List.of()).apply(tar);
            return null;
        });
    }

    @Override
    public Descriptor compare(String namespace, String lease, List<Mount> lower, List<Mount> upper, String mediaType,
            String ref, Map<String, String> labels) {
        String mt = mediaType == null || mediaType.isEmpty() ? LayerMediaTypes.OCI_LAYER_GZIP : mediaType;
        boolean gzip;
        switch (mt) {
            case LayerMediaTypes.OCI_LAYER -> gzip = false;
            case LayerMediaTypes.OCI_LAYER_GZIP -> gzip = true;
            default -> throw Errdefs.notImplemented("unsupported diff media type: %s", mt);
        }
        try {
            return dirs.with(lower, true, lowerRoot -> dirs.with(upper, true,
                    upperRoot -> writeLayer(namespace, lease, lowerRoot, upperRoot, mt, gzip, ref, labels)));
        } catch (IOException e) {
            throw failure(e);
        }
    }

    private Descriptor writeLayer(String namespace, String lease, Path lowerRoot, Path upperRoot, String mediaType,
            boolean gzip, String ref, Map<String, String> labels) throws IOException {
        boolean newRef = ref == null || ref.isEmpty();
        String r = newRef ? uniqueRef() : ref;
        Map<String, String> commitLabels = new HashMap<>(labels == null ? Map.of() : labels);
        ContentWriter w;
        try {
            w = content.writer(namespace, lease, r, 0, null);
        } catch (ContainerdException e) {
            throw e.wrap("failed to open writer");
        }
        boolean ok = false;
        try {
            if (!newRef) {
                w.truncate(0);
            }
            OutputStream blob = new BufferedOutputStream(new WriterStream(w), 1 << 20);
            if (gzip) {
                MessageDigest sha = sha256();
                GzipCompressorOutputStream gz = new GzipCompressorOutputStream(blob);
                DigestOutputStream tar = new DigestOutputStream(gz, sha);
                DiffWriter.writeDiff(tar, lowerRoot, upperRoot);
                tar.flush();
                gz.finish();
                commitLabels.put(UNCOMPRESSED_LABEL, "sha256:" + HexFormat.of().formatHex(sha.digest()));
            } else {
                DiffWriter.writeDiff(blob, lowerRoot, upperRoot);
            }
            blob.flush();
            Digest dgst = w.digest();
            try {
                w.commit(0, dgst, commitLabels);
            } catch (ContainerdException e) {
                if (e.code() != ErrorCode.ALREADY_EXISTS) {
                    throw e.wrap("failed to commit");
                }
            }
            ContentInfo info = content.info(namespace, dgst);
            String uncompressed = commitLabels.get(UNCOMPRESSED_LABEL);
            if (uncompressed != null && !info.labels().containsKey(UNCOMPRESSED_LABEL)) {
                Map<String, String> l = new HashMap<>(info.labels());
                l.put(UNCOMPRESSED_LABEL, uncompressed);
                content.update(namespace, new ContentInfo(info.digest(), info.size(), info.createdAt(),
                        info.updatedAt(), l), List.of("labels." + UNCOMPRESSED_LABEL));
            }
            ok = true;
            return new Descriptor(mediaType, info.digest(), info.size(), null);
        } finally {
            w.close();
            if (!ok && newRef) {
                try {
                    content.abort(namespace, r);
                } catch (RuntimeException ignored) {
                    // the ingest may already be gone
                }
            }
        }
    }

    private static RuntimeException failure(IOException e) {
        if (e instanceof RootResolver.EscapeException) {
            return new ContainerdException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
        }
        return new ContainerdException(ErrorCode.UNKNOWN, String.valueOf(e.getMessage()), e);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String uniqueRef() {
        byte[] b = new byte[3];
        new SecureRandom().nextBytes(b);
        long nanos = System.currentTimeMillis() * 1_000_000L + Math.floorMod(System.nanoTime(), 1_000_000L);
        return nanos + "-" + Base64.getUrlEncoder().encodeToString(b);
    }

    /** An output stream over a content writer. */
    private static final class WriterStream extends OutputStream {
        private final ContentWriter w;

        WriterStream(ContentWriter w) {
            this.w = w;
        }

        @Override
        public void write(int b) {
            w.write(ByteBuffer.wrap(new byte[] {(byte) b}));
        }

        @Override
        public void write(byte[] b, int off, int len) {
            w.write(ByteBuffer.wrap(b, off, len));
        }
    }
}
