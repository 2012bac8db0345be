package io.jcontainerd.differ.walking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.images.Descriptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compare two trees into a layer, apply the layer onto the lower tree: the upper tree comes out. */
class DiffRoundTripTest {
    @TempDir
    Path tmp;
    Path lower;
    Path upper;
    MemoryContentStore store;
    WalkingDiffer differ;

    @BeforeEach
    void setUp() throws IOException {
        lower = Files.createDirectory(tmp.resolve("lower"));
        upper = Files.createDirectory(tmp.resolve("upper"));
        Fixtures.lower(lower);
        Fixtures.upper(upper);
        store = new MemoryContentStore(Files.createDirectory(tmp.resolve("blobs")));
        differ = new WalkingDiffer(store, null, tmp.resolve("tmpmounts"));
    }

    @Test
    void aGzipLayerFromCompareRebuildsTheUpperTree() throws IOException {
        assertNotEquals(Trees.describe(lower), Trees.describe(upper));
        Descriptor d = differ.compare("default", "lease-1", WalkingDifferTest.bind(lower), WalkingDifferTest.bind(upper),
                "", "", Map.of("x", "y"));
        assertEquals(LayerMediaTypes.OCI_LAYER_GZIP, d.mediaType());
        byte[] blob = store.read(d.digest());
        assertEquals(blob.length, d.size());
        assertEquals(MemoryContentStore.sha256(blob), d.digest());
        byte[] tar = new GZIPInputStream(new ByteArrayInputStream(blob)).readAllBytes();
        Map<String, String> labels = store.info("default", d.digest()).labels();
        assertEquals(MemoryContentStore.sha256(tar).toString(), labels.get(WalkingDiffer.UNCOMPRESSED_LABEL));
        assertEquals("y", labels.get("x"));
        assertEquals("lease-1", store.lastLease);

        Path copy = Files.createDirectory(tmp.resolve("copy"));
        Fixtures.lower(copy);
        Descriptor applied = differ.apply("default", d, WalkingDifferTest.bind(copy), Map.of());
        assertEquals(labels.get(WalkingDiffer.UNCOMPRESSED_LABEL), applied.digest().toString());
        assertEquals(Trees.describe(upper), Trees.describe(copy));
    }

    @Test
    void theLayerHoldsOnlyChangesWithWhiteoutsParentsAndLinks() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DiffWriter.writeDiff(out, lower, upper);
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                entries.put(e.getName(), e);
                order.add(e.getName());
            }
        }
        assertTrue(entries.containsKey(".wh.gone"), order.toString());
        assertTrue(entries.containsKey(".wh.rmfile"));
        assertFalse(order.stream().anyMatch(n -> n.startsWith("gone/")), "nothing below a deleted directory");
        assertFalse(entries.containsKey("etc/unchanged"));
        assertFalse(entries.containsKey("etc/passwd"));
        assertTrue(entries.containsKey("etc/"), "parents of changes are included");
        assertTrue(order.indexOf("etc/") < order.indexOf("etc/hosts"));
        assertTrue(entries.containsKey("home/") && entries.containsKey("home/user/"));
        assertTrue(entries.get("bin/cat").isFile() && entries.get("bin/cat").getSize() > 0);
        assertEquals("bin/cat", entries.get("bin/busybox").getLinkName(), "other names of the inode link to it");
        assertTrue(entries.get("bin/busybox").isLink());
        assertEquals("bin/cat", entries.get("bin/sh").getLinkName());
        assertEquals("/bin/busybox", entries.get("bin/ls").getLinkName());
        assertEquals(04711, entries.get("chmodme").getMode());
        assertEquals(8, entries.get("dev/sda").getDevMajor());
        assertTrue(entries.get("dev/fifo").isFIFO());
        assertEquals(1000, entries.get("home/user/.profile").getLongUserId());
        assertEquals("", entries.get("home/user/.profile").getUserName());
        assertTrue(entries.containsKey("new/" + "long-name-".repeat(12)));
        assertTrue(entries.containsKey("new/ünïcødé"));
        assertEquals(Fixtures.T2.toInstant().getEpochSecond(), entries.get("new/big").getLastModifiedTime().toInstant()
                .getEpochSecond());
        assertEquals(0, entries.get("new/big").getLastModifiedTime().toInstant().getNano(), "times are whole seconds");
        assertTrue(entries.containsKey("a/z"));
        assertFalse(entries.containsKey("a.b"), "unchanged a.b is not in the layer");
        assertTrue(order.indexOf("a/z") < order.indexOf("chmodme"));
    }

    @Test
    void anUncompressedLayerOnRequestAndWithAGivenRef() throws IOException {
        Descriptor d = differ.compare("default", null, WalkingDifferTest.bind(lower), WalkingDifferTest.bind(upper),
                LayerMediaTypes.OCI_LAYER, "my-ref", Map.of());
        assertEquals(LayerMediaTypes.OCI_LAYER, d.mediaType());
        assertEquals("my-ref", store.lastRef);
        byte[] tar = store.read(d.digest());
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            assertTrue(in.getNextEntry() != null, "a plain tar");
        }
        Path copy = Files.createDirectory(tmp.resolve("copy"));
        Fixtures.lower(copy);
        differ.apply("default", d, WalkingDifferTest.bind(copy), Map.of());
        assertEquals(Trees.describe(upper), Trees.describe(copy));
    }

    @Test
    void anUnsupportedDiffMediaTypeIsNotImplemented() {
        ContainerdException e = assertThrows(ContainerdException.class, () -> differ.compare("default", null,
                WalkingDifferTest.bind(lower), WalkingDifferTest.bind(upper), LayerMediaTypes.OCI_LAYER_ZSTD, "", Map.of()));
        assertEquals(ErrorCode.NOT_IMPLEMENTED, e.code());
    }

    @Test
    void gnuTarExtractsOurLayerWithTheBinaryCapability() throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Path layer = tmp.resolve("layer.tar");
        try (var out = Files.newOutputStream(layer)) {
            DiffWriter.writeDiff(out, empty, upper);
        }
        Path x = Files.createDirectory(tmp.resolve("x"));
        Fixtures.run(x, "tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", layer.toString());
        assertEquals(HexFormat.of().formatHex(Fixtures.CAP_SETUID),
                HexFormat.of().formatHex(PosixFiles.lgetxattr(x.resolve("new/ping"), "security.capability")));
        assertEquals("deep", Files.readString(x.resolve("new/sub/dir/file"), StandardCharsets.UTF_8));
        assertEquals("long", Files.readString(x.resolve("new/" + "long-name-".repeat(12))));
    }
}
