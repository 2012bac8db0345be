package io.jcontainerd.differ.walking;

import io.jcontainerd.errdefs.Errdefs;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Layer media types and how their streams decompress (containerd's {@code images.DiffCompression}
 * and {@code compression.DecompressStream}): the media type says whether a layer may be compressed,
 * the stream's magic bytes say how.
 */
final class LayerMediaTypes {
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    static final String OCI_LAYER_GZIP = OCI_LAYER + "+gzip";
    static final String OCI_LAYER_ZSTD = OCI_LAYER + "+zstd";
    static final String OCI_LAYER_NONDIST = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    static final String DOCKER_LAYER_GZIP = DOCKER_LAYER + ".gzip";
    static final String DOCKER_LAYER_FOREIGN = "application/vnd.docker.image.rootfs.foreign.diff.tar";
    static final String DOCKER_LAYER_FOREIGN_GZIP = DOCKER_LAYER_FOREIGN + ".gzip";

    /** What a media type allows. */
    enum Compression { NONE, GZIP, ZSTD, DETECT }

    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b, 0x08};
    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    private LayerMediaTypes() {
    }

    /**
     * The compression a layer media type declares.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException NotImplemented for anything but a layer
     *         (including wrapped types such as {@code …tar+gzip+encrypted})
     */
    static Compression compression(String mediaType) {
        String[] parts = mediaType.split("\\+");
        String base = parts[0];
        String[] ext = Arrays.copyOfRange(parts, 1, parts.length);
        switch (base) {
            case DOCKER_LAYER, DOCKER_LAYER_FOREIGN:
                if (ext.length == 0) {
                    return Compression.DETECT;
                }
                break;
            case DOCKER_LAYER_GZIP, DOCKER_LAYER_FOREIGN_GZIP:
                if (ext.length == 0) {
                    return Compression.GZIP;
                }
                break;
            case OCI_LAYER, OCI_LAYER_NONDIST:
                if (ext.length == 0) {
                    return Compression.NONE;
                }
                if (ext.length == 1 && ext[0].equals("gzip")) {
                    return Compression.GZIP;
                }
                if (ext.length == 1 && ext[0].equals("zstd")) {
                    return Compression.ZSTD;
                }
                break;
            default:
                break;
        }
        throw Errdefs.notImplemented("failed to get stream processor for %s: no processor for media-type", mediaType);
    }

    /**
     * The uncompressed tar stream of {@code raw}: containerd decompresses by magic bytes whenever the
     * media type allows compression, and reads uncompressed types as they are.
     */
    static InputStream decompress(String mediaType, InputStream raw) throws IOException {
        Compression declared = compression(mediaType);
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        if (declared == Compression.NONE) {
            return in;
        }
        in.mark(8);
        byte[] head = in.readNBytes(4);
        in.reset();
        if (startsWith(head, GZIP_MAGIC)) {
            return new GzipCompressorInputStream(in, true);
        }
        if (startsWith(head, ZSTD_MAGIC)) {
            throw Errdefs.notImplemented("zstd-compressed layer (%s): unsupported compression", mediaType);
        }
        return in;
    }

    private static boolean startsWith(byte[] b, byte[] magic) {
        if (b.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (b[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
