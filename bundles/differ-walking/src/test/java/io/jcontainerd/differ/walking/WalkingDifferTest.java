package io.jcontainerd.differ.walking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.mount.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Apply through the differ: media types, the uncompressed digest, mounts, errors. */
class WalkingDifferTest {
    @TempDir
    Path tmp;
    MemoryContentStore store;
    WalkingDiffer differ;

    @BeforeEach
    void setUp() throws IOException {
        store = new MemoryContentStore(Files.createDirectory(tmp.resolve("blobs")));
        differ = new WalkingDiffer(store, null, tmp.resolve("tmpmounts"));
    }

    static List<Mount> bind(Path dir) {
        return List.of(new Mount("bind", dir.toString(), List.of("rbind", "rw")));
    }

    private Descriptor applyBlob(String mediaType, byte[] blob, Path root) {
        Digest d = store.put(blob);
        return differ.apply("default", new Descriptor(mediaType, d, blob.length, null), bind(root), Map.of());
    }

    @Test
    void appliesEveryLayerMediaTypeAndReturnsTheUncompressedDigest() throws IOException {
        byte[] tar = new TarBuilder().dir("d", 0755).file("d/f", "content", 0644).build();
        byte[] gz = TarBuilder.gzip(tar);
        Object[][] cases = {
            {LayerMediaTypes.OCI_LAYER, tar},
            {LayerMediaTypes.OCI_LAYER_GZIP, gz},
            {LayerMediaTypes.OCI_LAYER_NONDIST + "+gzip", gz},
            {LayerMediaTypes.OCI_LAYER_NONDIST, tar},
            {LayerMediaTypes.DOCKER_LAYER_GZIP, gz},
            {LayerMediaTypes.DOCKER_LAYER, gz}, // docker's plain type is sniffed for compression
            {LayerMediaTypes.DOCKER_LAYER, tar},
            {LayerMediaTypes.DOCKER_LAYER_FOREIGN_GZIP, gz},
        };
        int i = 0;
        for (Object[] c : cases) {
            Path root = Files.createDirectory(tmp.resolve("r" + i++));
            Descriptor d = applyBlob((String) c[0], (byte[]) c[1], root);
            assertEquals(LayerMediaTypes.OCI_LAYER, d.mediaType(), (String) c[0]);
            assertEquals(MemoryContentStore.sha256(tar), d.digest(), (String) c[0]);
            assertEquals(tar.length, d.size());
            assertEquals("content", Files.readString(root.resolve("d/f")), (String) c[0]);
        }
    }

    @Test
    void otherMediaTypesAreNotImplemented() throws IOException {
        byte[] tar = new TarBuilder().file("f", "x", 0644).build();
        Path root = Files.createDirectory(tmp.resolve("root"));
        for (String mt : List.of("application/vnd.oci.image.config.v1+json", LayerMediaTypes.OCI_LAYER_GZIP + "+encrypted",
                "application/octet-stream", "")) {
            ContainerdException e = assertThrows(ContainerdException.class, () -> applyBlob(mt, tar, root));
            assertEquals(ErrorCode.NOT_IMPLEMENTED, e.code(), mt);
        }
        byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0};
        ContainerdException e = assertThrows(ContainerdException.class,
                () -> applyBlob(LayerMediaTypes.OCI_LAYER_ZSTD, zstd, root));
        assertEquals(ErrorCode.NOT_IMPLEMENTED, e.code());
        assertTrue(Files.notExists(root.resolve("f")));
    }

    @Test
    void aMissingBlobIsNotFound() {
        Descriptor d = new Descriptor(LayerMediaTypes.OCI_LAYER, MemoryContentStore.sha256(new byte[1]), 1, null);
        ContainerdException e = assertThrows(ContainerdException.class,
                () -> differ.apply("default", d, bind(tmp), Map.of()));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
    }

    @Test
    void anEscapingLayerIsInvalidArgument() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("x/root"));
        byte[] tar = new TarBuilder().symlink("evil", "/").file("evil" + tmp + "/x/pwned", "e", 0644).build();
        ContainerdException e = assertThrows(ContainerdException.class,
                () -> applyBlob(LayerMediaTypes.OCI_LAYER_GZIP, TarBuilder.gzip(tar), root));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(Files.notExists(tmp.resolve("x/pwned")));
        ContainerdException e2 = assertThrows(ContainerdException.class,
                () -> applyBlob(LayerMediaTypes.OCI_LAYER, new TarBuilder().file("../../etc/x", "e", 0644).build(), root));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e2.code());
        assertTrue(Files.notExists(tmp.resolve("etc")));
    }

    @Test
    void aSingleOverlayMountIsAppliedToItsUpperdirWithOverlayWhiteouts() throws IOException {
        Path lower = Files.createDirectories(tmp.resolve("l1/fs/etc"));
        Files.writeString(lower.resolve("passwd"), "x");
        Path upper = Files.createDirectories(tmp.resolve("l2/fs"));
        Path work = Files.createDirectories(tmp.resolve("l2/work"));
        byte[] tar = new TarBuilder().file("etc/.wh.passwd", "", 0644).file("etc/group", "g", 0644).build();
        Digest d = store.put(tar);
        Mount overlay = new Mount("overlay", "overlay", List.of("index=off", "workdir=" + work, "upperdir=" + upper,
                "lowerdir=" + tmp.resolve("l1/fs")));
        Descriptor applied = differ.apply("default", new Descriptor(LayerMediaTypes.OCI_LAYER, d, tar.length, null),
                List.of(overlay), Map.of());
        assertEquals(MemoryContentStore.sha256(tar), applied.digest());
        assertEquals(PosixFiles.S_IFCHR, Trees.mode(upper.resolve("etc/passwd")) & PosixFiles.S_IFMT);
        assertEquals("g", Files.readString(upper.resolve("etc/group")));
        assertEquals("x", Files.readString(lower.resolve("passwd")));
    }

    @Test
    void gnuTarLayersApplyAndTheirPaddingIsPartOfTheDigest() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        Fixtures.upper(src);
        Path layer = tmp.resolve("layer.tar");
        Fixtures.run(src, "tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-cf", layer.toString(), ".");
        byte[] tar = Files.readAllBytes(layer);
        assertEquals(0, tar.length % 10240, "GNU tar pads to its record size");
        Path root = Files.createDirectory(tmp.resolve("root"));
        Descriptor d = applyBlob(LayerMediaTypes.OCI_LAYER_GZIP, TarBuilder.gzip(tar), root);
        assertEquals(MemoryContentStore.sha256(tar), d.digest());
        assertEquals(tar.length, d.size());
        Map<String, String> want = Trees.describe(src);
        assertEquals(want, Trees.describe(root));
        assertTrue(want.get("new/ping").contains("security.capability=" + java.util.HexFormat.of().formatHex(Fixtures.CAP_SETUID)),
                "the binary capability survived: " + want.get("new/ping"));
    }
}
