package io.jcontainerd.differ.walking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainerd.differ.walking.RootResolver.EscapeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers that try to write outside the root are refused, and nothing outside the root changes:
 * the whole temporary directory around the root is compared before and after.
 */
class LayerSecurityTest {
    @TempDir
    Path tmp;
    Path outside;
    Path root;
    Path secret;

    @BeforeEach
    void setUp() throws IOException {
        outside = Files.createDirectories(tmp.resolve("outside"));
        secret = Files.writeString(outside.resolve("secret"), "secret");
        PosixFiles.chmod(secret, 0600);
        root = Files.createDirectories(tmp.resolve("a/b/root"));
    }

    private void refused(byte[] layer) throws IOException {
        Map<String, String> before = Trees.describe(tmp);
        before.keySet().removeIf(k -> k.startsWith("a/b/root/"));
        assertThrows(EscapeException.class, () -> LayerApplierTest.apply(root, layer));
        Map<String, String> after = Trees.describe(tmp);
        after.keySet().removeIf(k -> k.startsWith("a/b/root/"));
        before.remove("a/b/root");
        after.remove("a/b/root");
        assertEquals(before, after, "nothing outside the root changed");
        assertEquals("secret", Files.readString(secret));
    }

    @Test
    void dotDotNames() throws IOException {
        refused(new TarBuilder().file("../../x", "evil", 0644).build());
        refused(new TarBuilder().file("../../../outside/secret", "evil", 0644).build());
        refused(new TarBuilder().file("ok/../../../../x", "evil", 0644).build());
        refused(new TarBuilder().dir("../../newdir", 0755).build());
        refused(new TarBuilder().file("../../etc/x", "evil", 0644).build());
    }

    @Test
    void absoluteNames() throws IOException {
        refused(new TarBuilder().file(outside.resolve("abs").toString(), "evil", 0644).build());
        refused(new TarBuilder().file(secret.toString(), "evil", 0644).build());
        assertTrue(Files.notExists(outside.resolve("abs")));
    }

    @Test
    void symlinkToRootThenAFileThroughIt() throws IOException {
        refused(new TarBuilder().symlink("evil", "/").file("evil" + outside + "/x", "evil", 0644).build());
        refused(new TarBuilder().symlink("evil", outside.toString()).file("evil/secret", "evil", 0644).build());
        refused(new TarBuilder().symlink("evil", "../../../outside").file("evil/x", "evil", 0644).build());
        refused(new TarBuilder().dir("d", 0755).symlink("d/up", "../..").file("d/up/x", "evil", 0644).build());
        // a chain: the first link stays inside, the second leaves
        refused(new TarBuilder().symlink("l1", "l2").symlink("l2", "/").file("l1" + outside + "/x", "e", 0644).build());
    }

    @Test
    void aDirectoryReplacedByASymlinkLaterInTheLayerIsResolvedAgain() throws IOException {
        refused(new TarBuilder().dir("d", 0755).file("d/x", "ok", 0644).symlink("d", outside.toString())
                .file("d/y", "evil", 0644).build());
        refused(new TarBuilder().file("d/x", "ok", 0644).file(".wh.d", "", 0644).symlink("d", "/")
                .file("d" + outside + "/y", "evil", 0644).build());
        refused(new TarBuilder().symlink("s", outside.toString()).file("e/x", "ok", 0644).link("e", "s", 0644)
                .file("e/secret", "evil", 0644).build());
    }

    @Test
    void symlinkAlreadyInTheRootCannotBeUsed() throws IOException {
        Files.createSymbolicLink(root.resolve("pre"), outside);
        refused(new TarBuilder().file("pre/secret", "evil", 0644).build());
        refused(new TarBuilder().dir("pre/sub", 0755).build());
        refused(new TarBuilder().file("pre/.wh.secret", "", 0644).build());
        refused(new TarBuilder().file("pre/.wh..wh..opq", "", 0644).build());
    }

    @Test
    void hardlinksToOutside() throws IOException {
        refused(new TarBuilder().link("hl", "../../../outside/secret", 0777).build());
        refused(new TarBuilder().link("hl", secret.toString(), 0777).build());
        refused(new TarBuilder().symlink("s", "/").link("hl", "s" + secret, 0777).build());
        refused(new TarBuilder().symlink("s", outside.toString()).link("hl", "s/secret", 0777).build());
        refused(new TarBuilder().link("hl", "", 0777).build());
        assertEquals(PosixFiles.S_IFREG | 0600, Trees.mode(secret));
    }

    @Test
    void invalidWhiteoutNames() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        refused(new TarBuilder().file(".wh..", "", 0644).build());
        refused(new TarBuilder().file("etc/.wh...", "", 0644).build());
        refused(new TarBuilder().file("etc/.wh.", "", 0644).build());
        assertTrue(Files.isDirectory(root.resolve("etc")));
    }

    @Test
    void aSymlinkPointingOutsideMayExistAsLongAsNothingGoesThroughIt() throws IOException {
        LayerApplierTest.apply(root, new TarBuilder().symlink("var/run", "/run").symlink("up", "../../..").build());
        assertEquals("/run", PosixFiles.readlink(root.resolve("var/run")));
        assertEquals("../../..", PosixFiles.readlink(root.resolve("up")));
    }
}
