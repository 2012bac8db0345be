package io.jcontainerd.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The test image fixtures check themselves: archives are well formed, every digest and size is
 * what the bytes say, diff IDs are the uncompressed layers, and the busybox layer holds what it should.
 * (Importing into the real containerd is {@link ImageFixturesIT}.)
 */
public class TestImagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path dir;

    @Before
    public void tempDir() throws IOException {
        dir = Files.createTempDirectory("jcd-testimages-test-");
    }

    @After
    public void cleanUp() throws IOException {
        Processes.deleteTree(dir);
    }

    /** An entry of a tar: its header and, for regular files, its bytes. */
    record Entry(TarArchiveEntry header, byte[] data) {
    }

    static Map<String, Entry> readTar(InputStream in) throws IOException {
        Map<String, Entry> out = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                out.put(e.getName(), new Entry(e, e.isFile() ? tar.readAllBytes() : null));
            }
        }
        return out;
    }

    static Map<String, Entry> readLayer(byte[] gzipTar) throws IOException {
        return readTar(new GzipCompressorInputStream(new ByteArrayInputStream(gzipTar)));
    }

    static String sha256(byte[] data) {
        return "sha256:" + TestImages.sha256Hex(data);
    }

    @Test
    public void ociArchiveIsAConsistentImageLayout() throws Exception {
        TestImages.Layer extra = new TestImages.Layer()
                .whiteout("etc/group").opaque("tmp").dir("opt", 0700).file("opt/hello.txt", "hi\n".getBytes(), 0600)
                .hardlink("opt/again.txt", "opt/hello.txt");
        try (TestImages.Image img = TestImages.busybox("docker.io/library/busybox:1.35", extra)) {
            Map<String, Entry> tar = readTar(Files.newInputStream(img.writeOciArchive(dir.resolve("oci.tar"))));
            assertEquals("1.0.0", JSON.readTree(tar.get("oci-layout").data()).get("imageLayoutVersion").asText());
            JsonNode index = JSON.readTree(tar.get("index.json").data());
            assertEquals(2, index.get("schemaVersion").asInt());
            assertEquals(1, index.get("manifests").size());
            JsonNode m = index.get("manifests").get(0);
            assertEquals(TestImages.OCI_MANIFEST, m.get("mediaType").asText());
            assertEquals("docker.io/library/busybox:1.35", m.get("annotations").get("io.containerd.image.name").asText());
            assertEquals("1.35", m.get("annotations").get("org.opencontainers.image.ref.name").asText());
            assertEquals("linux", m.get("platform").get("os").asText());

            // every blob is named by its digest, and every descriptor's size is its blob's
            Map<String, byte[]> blobs = new LinkedHashMap<>();
            tar.forEach((name, e) -> {
                if (name.startsWith("blobs/sha256/") && e.data() != null) {
                    assertEquals(name, "sha256:" + name.substring("blobs/sha256/".length()), sha256(e.data()));
                    blobs.put("sha256:" + name.substring("blobs/sha256/".length()), e.data());
                }
            });
            assertEquals("2 layers, config, manifest", 4, blobs.size());
            byte[] manifestBytes = blobs.get(m.get("digest").asText());
            assertNotNull(manifestBytes);
            assertEquals(manifestBytes.length, m.get("size").asLong());
            JsonNode manifest = JSON.readTree(manifestBytes);
            assertEquals(TestImages.OCI_CONFIG, manifest.get("config").get("mediaType").asText());
            byte[] configBytes = blobs.get(manifest.get("config").get("digest").asText());
            assertEquals(configBytes.length, manifest.get("config").get("size").asLong());
            JsonNode config = JSON.readTree(configBytes);
            assertEquals(TestImages.goArch(), config.get("architecture").asText());
            assertEquals("linux", config.get("os").asText());
            assertEquals("layers", config.get("rootfs").get("type").asText());

            List<Map<String, Entry>> layers = new ArrayList<>();
            JsonNode layerDescs = manifest.get("layers");
            assertEquals(2, layerDescs.size());
            for (int i = 0; i < layerDescs.size(); i++) {
                JsonNode l = layerDescs.get(i);
                assertEquals(TestImages.OCI_LAYER_GZIP, l.get("mediaType").asText());
                byte[] gz = blobs.get(l.get("digest").asText());
                assertEquals(gz.length, l.get("size").asLong());
                byte[] uncompressed = new GzipCompressorInputStream(new ByteArrayInputStream(gz)).readAllBytes();
                assertEquals("diff_id " + i, sha256(uncompressed), config.get("rootfs").get("diff_ids").get(i).asText());
                assertEquals(img.diffIds.get(i), sha256(uncompressed));
                layers.add(readLayer(gz));
            }

            Map<String, Entry> base = layers.get(0);
            Entry busybox = base.get("bin/busybox");
            assertArrayEquals(Files.readAllBytes(TestImages.BUSYBOX), busybox.data());
            assertEquals(0755, busybox.header().getMode() & 07777);
            assertTrue(base.get("bin/sh").header().isSymbolicLink());
            assertEquals("/bin/busybox", base.get("bin/sh").header().getLinkName());
            assertTrue(base.containsKey("usr/bin/env"));
            assertEquals(01777, base.get("tmp/").header().getMode() & 07777);
            assertTrue(new String(base.get("etc/passwd").data()).startsWith("root:x:0:0:root:/root:/bin/sh\n"));
            assertTrue(new String(base.get("etc/group").data()).startsWith("root:x:0:\n"));
            for (Entry e : base.values()) {
                assertEquals(e.header().getName(), 0, e.header().getLongUserId());
                assertEquals(e.header().getName(), 0, e.header().getLongGroupId());
            }

            Map<String, Entry> top = layers.get(1);
            assertEquals(List.of("etc/.wh.group", "tmp/.wh..wh..opq", "opt/", "opt/hello.txt", "opt/again.txt"), List.copyOf(top.keySet()));
            assertTrue(top.get("opt/again.txt").header().isLink());
            assertEquals("opt/hello.txt", top.get("opt/again.txt").header().getLinkName());
            assertEquals(0700, top.get("opt/").header().getMode() & 07777);
        }
    }

    @Test
    public void dockerArchiveNamesItsConfigAndLayers() throws Exception {
        try (TestImages.Image img = TestImages.busybox("busybox:latest")) {
            Map<String, Entry> tar = readTar(Files.newInputStream(img.writeDockerArchive(dir.resolve("docker.tar"))));
            JsonNode manifest = JSON.readTree(tar.get("manifest.json").data());
            assertEquals(1, manifest.size());
            JsonNode e = manifest.get(0);
            assertEquals("busybox:latest", e.get("RepoTags").get(0).asText());
            byte[] config = tar.get(e.get("Config").asText()).data();
            assertEquals(img.config.digest(), sha256(config));
            assertEquals(1, e.get("Layers").size());
            byte[] layer = tar.get(e.get("Layers").get(0).asText()).data();
            assertEquals(img.layers.get(0).digest(), sha256(layer));
            JsonNode dockerManifest = JSON.readTree(img.dockerManifest.bytes());
            assertEquals(TestImages.DOCKER_MANIFEST, dockerManifest.get("mediaType").asText());
            assertEquals(TestImages.DOCKER_CONFIG, dockerManifest.get("config").get("mediaType").asText());
            assertEquals(TestImages.DOCKER_LAYER_GZIP, dockerManifest.get("layers").get(0).get("mediaType").asText());
        }
    }

    @Test
    public void theSameInputGivesTheSameDigests() throws Exception {
        try (TestImages.Image a = TestImages.busybox("x"); TestImages.Image b = TestImages.busybox("x")) {
            assertEquals(a.ociManifest.digest(), b.ociManifest.digest());
            assertEquals(a.dockerManifest.digest(), b.dockerManifest.digest());
        }
    }

    @Test
    public void chainIdsFollowTheOciRule() throws Exception {
        try (TestImages.Image img = TestImages.busybox("x", new TestImages.Layer().file("a", new byte[] {1}, 0644),
                new TestImages.Layer().file("b", new byte[] {2}, 0644))) {
            List<String> chain = img.chainIds();
            assertEquals(3, chain.size());
            assertEquals(img.diffIds.get(0), chain.get(0));
            assertEquals(sha256((chain.get(0) + " " + img.diffIds.get(1)).getBytes()), chain.get(1));
            assertEquals(sha256((chain.get(1) + " " + img.diffIds.get(2)).getBytes()), chain.get(2));
        }
    }

    @Test
    public void bigImagesStreamRandomData() throws Exception {
        try (TestImages.Image img = TestImages.bigBusybox("big", 10)) {
            assertEquals(3, img.layers.size());
            long total = img.layers.stream().mapToLong(TestImages.Blob::size).sum();
            assertTrue("about 10 MB: " + total, total > 8_000_000 && total < 12_000_000);
            assertEquals(img.layers.get(1).size(), Files.size(img.layers.get(1).path()));
        }
    }
}
