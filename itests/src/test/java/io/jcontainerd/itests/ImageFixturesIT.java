package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The test image fixtures against the real containerd 1.6: both archive formats import, are complete
 * and unpack into one snapshot per layer named by chain ID; a push to {@link LocalRegistry} pulls.
 * (Not named {@code Test*}: surefire would run it as a unit test as well.)
 */
public class ImageFixturesIT {
    private Path dir;
    private Containerd containerd;

    @Before
    public void start() throws Exception {
        dir = Files.createTempDirectory("jcd-testimages-it-");
        containerd = Containerd.start();
    }

    @After
    public void stop() throws Exception {
        if (containerd != null) {
            containerd.close();
        }
        Processes.deleteTree(dir);
    }

    private Processes.Result ok(String... args) throws Exception {
        Processes.Result r = containerd.ctr(args);
        assertEquals("ctr " + String.join(" ", args) + "\n" + r, 0, r.rc());
        return r;
    }

    /** {@code ctr images check} says the image is complete; the snapshotter holds every chain ID. */
    private void assertImportedAndUnpacked(String name, TestImages.Image img) throws Exception {
        assertTrue(ok("images", "ls", "-q").out().lines().toList().contains(name));
        String check = ok("images", "check", "name==" + name).out();
        assertTrue(check, Pattern.compile("^" + Pattern.quote(name) + "\\s+\\S+\\s+\\S+\\s+complete \\((\\d+)/\\1\\)", Pattern.MULTILINE)
                .matcher(check).find());
        List<String> snapshots = ok("snapshots", "ls").out().lines().skip(1).map(l -> l.split("\\s+")[0]).toList();
        assertTrue(snapshots + " has " + img.chainIds(), snapshots.containsAll(img.chainIds()));
        String info = ok("snapshots", "info", img.chainIds().get(img.chainIds().size() - 1)).out();
        assertTrue(info, info.contains("\"Kind\": \"Committed\""));
    }

    /** {@code ctr images ls} has a row for the image with this type and digest (columns are space-padded). */
    private static void assertRow(String ls, String name, String type, String digest) {
        assertTrue(ls, Pattern.compile("^" + Pattern.quote(name) + "\\s+" + Pattern.quote(type) + "\\s+" + Pattern.quote(digest) + "\\s",
                Pattern.MULTILINE).matcher(ls).find());
    }

    @Test
    public void ociArchiveImportsAndUnpacks() throws Exception {
        String name = "docker.io/library/busybox:latest";
        TestImages.Layer top = new TestImages.Layer().whiteout("etc/group").dir("opt", 0755)
                .file("opt/hello.txt", "hi\n".getBytes(), 0644);
        try (TestImages.Image img = TestImages.busybox(name, top)) {
            Path tar = img.writeOciArchive(dir.resolve("busybox-oci.tar"));
            String out = ok("images", "import", tar.toString()).out();
            assertTrue(out, out.contains("unpacking " + name + " (" + img.ociManifest.digest() + ")...done"));
            assertImportedAndUnpacked(name, img);
            String ls = ok("images", "ls").out();
            assertRow(ls, name, TestImages.OCI_MANIFEST, img.ociManifest.digest());
            assertTrue(ls, ls.contains("linux/" + TestImages.goArch()));
        }
    }

    @Test
    public void dockerArchiveImportsAndUnpacks() throws Exception {
        try (TestImages.Image img = TestImages.busybox("busybox:docker")) {
            Path tar = img.writeDockerArchive(dir.resolve("busybox-docker.tar"));
            ok("images", "import", tar.toString());
            // containerd normalises docker-archive names and writes a Docker schema 2 manifest
            assertImportedAndUnpacked("docker.io/library/busybox:docker", img);
            String ls = ok("images", "ls").out();
            assertRow(ls, "docker.io/library/busybox:docker", TestImages.DOCKER_MANIFEST, img.dockerManifest.digest());
        }
    }

    @Test
    public void pushedImagesPull() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start();
                TestImages.Image img = TestImages.busybox("busybox", new TestImages.Layer().file("hello", "hi\n".getBytes(), 0644))) {
            String ref = registry.push(img, "busybox", "latest");
            assertEquals(registry.host() + "/busybox:latest", ref);
            ok("images", "pull", "--plain-http", ref);
            assertImportedAndUnpacked(ref, img);
            String ociRef = registry.push(img, "oci/busybox", "v1", true);
            ok("images", "pull", "--plain-http", ociRef);
            String ls = ok("images", "ls").out();
            assertRow(ls, ociRef, TestImages.OCI_MANIFEST, img.ociManifest.digest());
            assertRow(ls, ref, TestImages.DOCKER_MANIFEST, img.dockerManifest.digest());
        }
    }
}
