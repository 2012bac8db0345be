package io.jcontainerd.itests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Test images built from Debian's static busybox, written as the archives {@code ctr images import}
 * accepts (OCI image layout tar, docker-archive tar) and pushable to a registry ({@link LocalRegistry}).
 *
 * <pre>
 * try (TestImages.Image img = TestImages.busybox("docker.io/library/busybox:latest")) {
 *     Path tar = img.writeOciArchive(dir.resolve("busybox.tar"));
 *     ...
 * }
 * </pre>
 *
 * Layer 1 is {@code /bin/busybox} with its applet symlinks (from {@code busybox --list-full}) and
 * {@code /etc/passwd}, {@code /etc/group}; callers may add layers ({@link Layer}). Everything is
 * deterministic (fixed times, owners and gzip header), so the same input gives the same digests.
 * Blobs live in a temporary directory that {@link Image#close()} removes.
 */
public final class TestImages {
    static final Path BUSYBOX = Path.of("/bin/busybox");

    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /** The time stamped on every entry and in the config: 2024-01-01T00:00:00Z. */
    static final long EPOCH_SECONDS = 1704067200L;

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestImages() {
    }

    /** The busybox image, with {@code extraLayers} on top of the busybox layer. */
    public static Image busybox(String name, Layer... extraLayers) throws IOException {
        List<Layer> layers = new ArrayList<>();
        layers.add(busyboxLayer());
        layers.addAll(List.of(extraLayers));
        return build(name, layers);
    }

    /**
     * A three-layer busybox image of about {@code totalMegabytes} (uncompressed and compressed alike:
     * the data is random), for import and pull benchmarks: busybox, then two layers of random files.
     */
    public static Image bigBusybox(String name, int totalMegabytes) throws IOException {
        long each = Math.max(1, (totalMegabytes - 2) / 2) * 1024L * 1024;
        return busybox(name,
                new Layer().dir("data", 0755).randomFile("data/one.bin", each, 1),
                new Layer().dir("data", 0755).randomFile("data/two.bin", each, 2));
    }

    /** Layer 1 of {@link #busybox}: the binary, its applet links, passwd and group. */
    /** Writes the plain busybox image {@code name} as an OCI archive at {@code tar}; answers {@code tar}. */
    static Path writeBusybox(String name, Path tar) throws IOException {
        try (Image img = busybox(name)) {
            return img.writeOciArchive(tar);
        }
    }

    static Layer busyboxLayer() throws IOException {
        if (!Files.isRegularFile(BUSYBOX)) {
            throw new IllegalStateException(BUSYBOX + " is missing: apt-get install busybox-static");
        }
        Layer l = new Layer();
        for (String d : List.of("bin", "dev", "etc", "proc", "root", "sbin", "sys", "usr", "usr/bin", "usr/sbin", "var")) {
            l.dir(d, 0755);
        }
        l.dir("tmp", 01777);
        l.file("bin/busybox", BUSYBOX, 0755);
        Processes.Result list;
        try {
            list = Processes.run(30, List.of(BUSYBOX.toString(), "--list-full"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("busybox --list-full");
        }
        if (list.rc() != 0) {
            throw new IllegalStateException("busybox --list-full: " + list);
        }
        list.out().lines().map(String::strip)
                .filter(p -> p.contains("/") && !p.equals("bin/busybox"))
                .sorted()
                .forEach(p -> l.symlink(p, "/bin/busybox"));
        l.file("etc/passwd", ("root:x:0:0:root:/root:/bin/sh\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n").getBytes(StandardCharsets.UTF_8), 0644);
        l.file("etc/group", "root:x:0:\nnogroup:x:65534:\n".getBytes(StandardCharsets.UTF_8), 0644);
        return l;
    }

    /** Builds an image of the given layers, bottom first. */
    static Image build(String name, List<Layer> layers) throws IOException {
        Path dir = Files.createTempDirectory("jcd-testimage-");
        try {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            List<Blob> layerBlobs = new ArrayList<>();
            List<String> diffIds = new ArrayList<>();
            for (Layer layer : layers) {
                String[] diffId = new String[1];
                layerBlobs.add(writeBlob(dir, out -> diffId[0] = layer.writeGzip(out)));
                diffIds.add(diffId[0]);
            }
            Blob config = writeBlob(dir, content(json(config(diffIds))));
            Blob ociManifest = writeBlob(dir, content(json(manifest(OCI_MANIFEST, OCI_CONFIG, OCI_LAYER_GZIP, config, layerBlobs))));
            Blob dockerManifest = writeBlob(dir, content(json(manifest(DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER_GZIP, config, layerBlobs))));
            return new Image(name, dir, layerBlobs, diffIds, config, ociManifest, dockerManifest);
        } catch (IOException | RuntimeException | Error e) {
            Processes.deleteTree(dir);
            throw e;
        }
    }

    /** A blob in an image's directory: its digest ({@code sha256:<hex>}), size and file. */
    record Blob(String digest, long size, Path path) {
        String hex() {
            return digest.substring("sha256:".length());
        }

        byte[] bytes() throws IOException {
            return Files.readAllBytes(path);
        }
    }

    /** A built image: its blobs on disk, and ways to write it as archives. */
    public static final class Image implements AutoCloseable {
        final String name;
        final Path dir;
        /** Compressed layer blobs, bottom first. */
        final List<Blob> layers;
        /** sha256 of each uncompressed layer tar, bottom first (the config's rootfs.diff_ids). */
        final List<String> diffIds;
        final Blob config;
        /** The manifest with OCI media types (what the OCI archive's index names). */
        final Blob ociManifest;
        /** The same image with Docker schema 2 media types (what a registry push uses by default). */
        final Blob dockerManifest;

        Image(String name, Path dir, List<Blob> layers, List<String> diffIds, Blob config, Blob ociManifest, Blob dockerManifest) {
            this.name = name;
            this.dir = dir;
            this.layers = List.copyOf(layers);
            this.diffIds = List.copyOf(diffIds);
            this.config = config;
            this.ociManifest = ociManifest;
            this.dockerManifest = dockerManifest;
        }

        /**
         * The snapshot names an unpack commits, bottom first: containerd's chain IDs
         * ({@code chain(n) = sha256(chain(n-1) + " " + diffId(n))}, {@code chain(1) = diffId(1)}).
         */
        List<String> chainIds() {
            List<String> out = new ArrayList<>();
            String chain = null;
            for (String d : diffIds) {
                chain = chain == null ? d : "sha256:" + sha256Hex((chain + " " + d).getBytes(StandardCharsets.UTF_8));
                out.add(chain);
            }
            return out;
        }

        /** Sum of the compressed layer sizes, config and OCI manifest (what {@code ctr images ls} shows as size). */
        long ociSize() {
            return layers.stream().mapToLong(Blob::size).sum() + config.size() + ociManifest.size();
        }

        /** The tag part of the name ({@code latest} when there is none), for {@code org.opencontainers.image.ref.name}. */
        String tag() {
            int slash = name.lastIndexOf('/');
            int colon = name.lastIndexOf(':');
            return colon > slash ? name.substring(colon + 1) : "latest";
        }

        /**
         * Writes an OCI image layout tar: {@code oci-layout}, {@code index.json} naming the OCI
         * manifest (annotations {@code io.containerd.image.name} = the name,
         * {@code org.opencontainers.image.ref.name} = the tag, and the platform), {@code blobs/sha256/*}.
         */
        /** How many layers the image has. */
        public int layerCount() {
            return layers.size();
        }

        public Path writeOciArchive(Path tar) throws IOException {
            ObjectNode index = JSON.createObjectNode();
            index.put("schemaVersion", 2);
            index.put("mediaType", OCI_INDEX);
            ObjectNode m = descriptor(OCI_MANIFEST, ociManifest);
            m.putObject("annotations").put("io.containerd.image.name", name).put("org.opencontainers.image.ref.name", tag());
            m.putObject("platform").put("architecture", goArch()).put("os", "linux");
            index.putArray("manifests").add(m);
            try (TarArchiveOutputStream out = tarOut(tar)) {
                writeFile(out, "oci-layout", json(JSON.createObjectNode().put("imageLayoutVersion", "1.0.0")));
                writeFile(out, "index.json", json(index));
                writeDir(out, "blobs/");
                writeDir(out, "blobs/sha256/");
                for (Blob b : allBlobs(ociManifest)) {
                    writeFile(out, "blobs/sha256/" + b.hex(), b.path());
                }
            }
            return tar;
        }

        /**
         * Writes a docker-archive tar (as {@code docker save}): {@code manifest.json} with
         * {@code RepoTags} = [the name], {@code <config hex>.json}, {@code <layer hex>/layer.tar}
         * (gzip-compressed; importers detect that). containerd builds a Docker schema 2 manifest from it.
         */
        Path writeDockerArchive(Path tar) throws IOException {
            ArrayNode manifest = JSON.createArrayNode();
            ObjectNode entry = manifest.addObject();
            entry.put("Config", config.hex() + ".json");
            entry.putArray("RepoTags").add(name);
            ArrayNode layerPaths = entry.putArray("Layers");
            for (Blob l : layers) {
                layerPaths.add(l.hex() + "/layer.tar");
            }
            try (TarArchiveOutputStream out = tarOut(tar)) {
                writeFile(out, config.hex() + ".json", config.path());
                for (Blob l : layers) {
                    writeDir(out, l.hex() + "/");
                    writeFile(out, l.hex() + "/layer.tar", l.path());
                }
                writeFile(out, "manifest.json", json(manifest));
            }
            return tar;
        }

        /** The manifest's config and layers, then the manifest itself. */
        List<Blob> allBlobs(Blob manifest) {
            List<Blob> all = new ArrayList<>(layers);
            all.add(config);
            all.add(manifest);
            return all;
        }

        @Override
        public void close() throws IOException {
            Processes.deleteTree(dir);
        }
    }

    /**
     * The entries of one layer, written in the order given. Paths are relative ({@code bin/sh});
     * owners are root, times fixed.
     */
    public static final class Layer {
        private interface EntryWriter {
            void write(TarArchiveOutputStream out) throws IOException;
        }

        private final List<EntryWriter> entries = new ArrayList<>();

        Layer dir(String path, int mode) {
            entries.add(out -> {
                TarArchiveEntry e = entry(path.endsWith("/") ? path : path + "/", TarArchiveEntry.LF_DIR);
                e.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~07777 | mode);
                out.putArchiveEntry(e);
                out.closeArchiveEntry();
            });
            return this;
        }

        Layer file(String path, byte[] content, int mode) {
            entries.add(out -> {
                TarArchiveEntry e = entry(path, TarArchiveEntry.LF_NORMAL);
                e.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~07777 | mode);
                e.setSize(content.length);
                out.putArchiveEntry(e);
                out.write(content);
                out.closeArchiveEntry();
            });
            return this;
        }

        /** A regular file with the content of {@code source} (read when the layer is written). */
        Layer file(String path, Path source, int mode) {
            entries.add(out -> {
                TarArchiveEntry e = entry(path, TarArchiveEntry.LF_NORMAL);
                e.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~07777 | mode);
                e.setSize(Files.size(source));
                out.putArchiveEntry(e);
                Files.copy(source, out);
                out.closeArchiveEntry();
            });
            return this;
        }

        /** {@code size} bytes of pseudo-random data from {@code seed} (incompressible, not held in memory). */
        Layer randomFile(String path, long size, long seed) {
            entries.add(out -> {
                TarArchiveEntry e = entry(path, TarArchiveEntry.LF_NORMAL);
                e.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~07777 | 0644);
                e.setSize(size);
                out.putArchiveEntry(e);
                java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                byte[] buf = new byte[64 * 1024];
                for (long left = size; left > 0;) {
                    for (int i = 0; i < buf.length; i += 8) {
                        long r = random.nextLong();
                        for (int j = 0; j < 8; j++) {
                            buf[i + j] = (byte) (r >>> (8 * j));
                        }
                    }
                    int n = (int) Math.min(buf.length, left);
                    out.write(buf, 0, n);
                    left -= n;
                }
                out.closeArchiveEntry();
            });
            return this;
        }

        Layer symlink(String path, String target) {
            entries.add(out -> {
                TarArchiveEntry e = entry(path, TarArchiveEntry.LF_SYMLINK);
                e.setMode(0120777);
                e.setLinkName(target);
                out.putArchiveEntry(e);
                out.closeArchiveEntry();
            });
            return this;
        }

        /** A hard link to {@code target}, an earlier entry of the same layer. */
        Layer hardlink(String path, String target) {
            entries.add(out -> {
                TarArchiveEntry e = entry(path, TarArchiveEntry.LF_LINK);
                e.setMode(TarArchiveEntry.DEFAULT_FILE_MODE);
                e.setLinkName(target);
                out.putArchiveEntry(e);
                out.closeArchiveEntry();
            });
            return this;
        }

        /** An OCI whiteout: {@code path} from lower layers is deleted ({@code dir/.wh.name}). */
        Layer whiteout(String path) {
            int slash = path.lastIndexOf('/');
            String whiteout = path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
            return file(whiteout, new byte[0], 0644);
        }

        /** An opaque directory marker: lower layers' content of {@code dir} is hidden. */
        Layer opaque(String dir) {
            return file((dir.endsWith("/") ? dir : dir + "/") + ".wh..wh..opq", new byte[0], 0644);
        }

        /**
         * Any entry the helpers above do not cover (device nodes, xattrs, hostile paths...). For a
         * name kept verbatim (a leading {@code /}), build it with {@code new TarArchiveEntry(name, true)};
         * {@code content} may be null for entries without data.
         */
        Layer raw(TarArchiveEntry entry, byte[] content) {
            entries.add(out -> {
                if (content != null) {
                    entry.setSize(content.length);
                }
                out.putArchiveEntry(entry);
                if (content != null) {
                    out.write(content);
                }
                out.closeArchiveEntry();
            });
            return this;
        }

        /** Writes the uncompressed tar. */
        void writeTar(OutputStream sink) throws IOException {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(sink, StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (EntryWriter w : entries) {
                w.write(tar);
            }
            tar.finish();
            tar.flush();
        }

        /** Writes the gzip-compressed tar to {@code sink}; answers the diff ID (sha256 of the tar). */
        String writeGzip(OutputStream sink) throws IOException {
            GzipParameters params = new GzipParameters();
            params.setModificationTime(0);
            params.setOperatingSystem(255);
            GzipCompressorOutputStream gz = new GzipCompressorOutputStream(new NonClosing(sink), params);
            MessageDigest sha = sha256();
            try (DigestOutputStream tar = new DigestOutputStream(gz, sha)) {
                writeTar(tar);
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        }

        private static TarArchiveEntry entry(String path, byte type) {
            TarArchiveEntry e = new TarArchiveEntry(path, type);
            e.setUserId(0);
            e.setGroupId(0);
            e.setUserName("");
            e.setGroupName("");
            e.setLastModifiedTime(java.nio.file.attribute.FileTime.from(EPOCH_SECONDS, java.util.concurrent.TimeUnit.SECONDS));
            return e;
        }
    }

    // --- helpers

    private interface Content {
        void write(OutputStream out) throws IOException;
    }

    private static Content content(byte[] data) {
        return out -> out.write(data);
    }

    /** Streams content into {@code dir/blobs/sha256/<digest>}. */
    private static Blob writeBlob(Path dir, Content content) throws IOException {
        Path tmp = Files.createTempFile(dir, "blob", ".tmp");
        MessageDigest sha = sha256();
        long size;
        try (OutputStream file = Files.newOutputStream(tmp); CountingDigestStream out = new CountingDigestStream(file, sha)) {
            content.write(out);
            out.flush();
            size = out.count;
        }
        String hex = HexFormat.of().formatHex(sha.digest());
        Path path = dir.resolve("blobs/sha256/" + hex);
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        return new Blob("sha256:" + hex, size, path);
    }

    private static final class CountingDigestStream extends DigestOutputStream {
        long count;

        CountingDigestStream(OutputStream out, MessageDigest digest) {
            super(out, digest);
        }

        @Override
        public void write(int b) throws IOException {
            super.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            super.write(b, off, len);
            count += len;
        }
    }

    /** Keeps the gzip stream's close from closing the blob file (the caller closes it). */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    private static ObjectNode config(List<String> diffIds) {
        ObjectNode c = JSON.createObjectNode();
        c.put("created", java.time.Instant.ofEpochSecond(EPOCH_SECONDS).toString());
        c.put("architecture", goArch());
        c.put("os", "linux");
        ObjectNode cfg = c.putObject("config");
        cfg.putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        cfg.putArray("Cmd").add("sh");
        ObjectNode rootfs = c.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        diffIds.forEach(ids::add);
        ArrayNode history = c.putArray("history");
        for (int i = 0; i < diffIds.size(); i++) {
            history.addObject().put("created", java.time.Instant.ofEpochSecond(EPOCH_SECONDS).toString())
                    .put("created_by", i == 0 ? "jcontainerd test image: busybox" : "jcontainerd test image: layer " + (i + 1));
        }
        return c;
    }

    private static ObjectNode manifest(String mediaType, String configType, String layerType, Blob config, List<Blob> layers) {
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", mediaType);
        m.set("config", descriptor(configType, config));
        ArrayNode ls = m.putArray("layers");
        layers.forEach(l -> ls.add(descriptor(layerType, l)));
        return m;
    }

    static ObjectNode descriptor(String mediaType, Blob blob) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", blob.digest());
        d.put("size", blob.size());
        return d;
    }

    /** The Go architecture name of this machine, as image configs and platforms use it. */
    static String goArch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
    }

    /** Compact JSON, as containerd and registries write it. */
    static byte[] json(Object tree) {
        try {
            return JSON.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TarArchiveOutputStream tarOut(Path tar) throws IOException {
        TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar), StandardCharsets.UTF_8.name());
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        return out;
    }

    private static void writeDir(TarArchiveOutputStream out, String path) throws IOException {
        TarArchiveEntry e = Layer.entry(path, TarArchiveEntry.LF_DIR);
        e.setMode(040755);
        out.putArchiveEntry(e);
        out.closeArchiveEntry();
    }

    private static void writeFile(TarArchiveOutputStream out, String path, byte[] content) throws IOException {
        TarArchiveEntry e = Layer.entry(path, TarArchiveEntry.LF_NORMAL);
        e.setMode(0100644);
        e.setSize(content.length);
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
    }

    private static void writeFile(TarArchiveOutputStream out, String path, Path content) throws IOException {
        TarArchiveEntry e = Layer.entry(path, TarArchiveEntry.LF_NORMAL);
        e.setMode(0100644);
        e.setSize(Files.size(content));
        out.putArchiveEntry(e);
        try (InputStream in = Files.newInputStream(content)) {
            in.transferTo(out);
        }
        out.closeArchiveEntry();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256Hex(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    /** The entries of a blob map by digest, for tests that look inside archives. */
    static Map<String, Blob> byDigest(List<Blob> blobs) {
        Map<String, Blob> m = new LinkedHashMap<>();
        blobs.forEach(b -> m.put(b.digest(), b));
        return m;
    }
}
