package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Images end to end, as {@code ctr} drives them, against jcontainerd and a private containerd 1.6.20
 * side by side: import (OCI and docker archives), list, check, content, snapshots (overlayfs and
 * native), export and re-import, pull from a local registry, removal and garbage collection down to
 * the files on disk, and layers that try to write outside their snapshot.
 */
public class ImageLifecycleIT {
    private static Daemon ours;
    private static Containerd reference;
    private static Path dir;

    @BeforeClass
    public static void start() throws Exception {
        dir = Files.createTempDirectory("jcd-images-e2e-");
        ours = Daemon.create("").start();
        reference = Containerd.start();
    }

    @AfterClass
    public static void stop() throws Exception {
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.close();
        }
        Processes.deleteTree(dir);
    }

    private static Processes.Result ours(String... args) throws Exception {
        return ours.ctr(args);
    }

    private static Processes.Result ok(Processes.Result r, String what) {
        assertEquals(what + "\n" + r, 0, r.rc());
        return r;
    }

    /** Runs the same ctr command on both daemons; both must succeed; answers ours. */
    private static String both(String... args) throws Exception {
        Processes.Result a = ok(ours.ctr(args), "ours: ctr " + String.join(" ", args));
        Processes.Result b = ok(reference.ctr(args), "containerd: ctr " + String.join(" ", args));
        return a.out() + "\u0000" + b.out();
    }

    /** Settles both daemons: what nothing references is collected on each before listings are compared. */
    private static void collectGarbage() throws Exception {
        Processes.collectGarbage(ours.socket);
        Processes.collectGarbage(reference.socket);
    }

    private static String[] pair(String bothOut) {
        return bothOut.split("\u0000", -1);
    }

    /** Same output on both daemons once ages ("2 seconds") and timestamps are blanked and rows sorted. */
    private static void assertSame(String what, String bothOut) {
        String[] p = pair(bothOut);
        assertEquals(what, normalize(p[1]), normalize(p[0]));
    }

    static String normalize(String out) {
        List<String> lines = new ArrayList<>(out.replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z", "<time>")
                .replaceAll("(?m)\\b(Less than |About )?(an?|\\d+) (second|minute|hour)s?\\b", "<age>")
                .replaceAll("(?m)[ \\t]+$", "")
                .lines().map(ImageLifecycleIT::sortLabels).toList());
        if (lines.size() > 1) {
            List<String> body = new ArrayList<>(lines.subList(1, lines.size()));
            body.sort(null);
            lines = new ArrayList<>(List.of(lines.get(0)));
            lines.addAll(body);
        }
        // column gaps: ctr's tabwriter pads with one or more tabs depending on the widest cell (ages differ)
        return String.join("\n", lines).replaceAll("[ \\t]*\\t[ \\t]*|[ ]{2,}", "  ");
    }

    /** ctr prints labels in Go's random map order: sort each {@code k=v,k=v} column. */
    private static String sortLabels(String line) {
        StringBuilder out = new StringBuilder();
        for (String token : line.split("(?<=\\s)(?=\\S)")) {
            String t = token.strip();
            if (t.contains("=") && t.contains(",")) {
                List<String> parts = new ArrayList<>(List.of(t.split(",")));
                parts.sort(null);
                out.append(String.join(",", parts)).append(token.substring(t.length()));
            } else {
                out.append(token);
            }
        }
        return out.toString();
    }

    private static Path contentBlob(String digest) {
        return ours.root.resolve("io.containerd.content.v1.content/blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    private static long filesUnder(Path p) throws Exception {
        if (!Files.exists(p)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.count();
        }
    }

    @Test
    public void importListCheckSnapshotsExportAndReimportAsContainerd() throws Exception {
        String name = "docker.io/library/e2e:oci";
        TestImages.Layer top = new TestImages.Layer().whiteout("etc/group").dir("opt", 0755)
                .file("opt/hello.txt", "hi\n".getBytes(), 0644).symlink("opt/sh", "/bin/busybox")
                .hardlink("opt/hello2.txt", "opt/hello.txt");
        try (TestImages.Image img = TestImages.busybox(name, top)) {
            Path tar = img.writeOciArchive(dir.resolve("e2e-oci.tar"));
            String[] imp = pair(both("-n", "e2e", "images", "import", tar.toString()));
            assertEquals(normalize(imp[1]), normalize(imp[0]));
            assertTrue(imp[0], imp[0].contains("unpacking " + name + " (" + img.ociManifest.digest() + ")...done"));

            collectGarbage(); // the archive's index blob belongs to no image: both daemons drop it
            assertSame("images ls", both("-n", "e2e", "images", "ls"));
            String check = pair(both("-n", "e2e", "images", "check"))[0];
            assertTrue(check, Pattern.compile(Pattern.quote(name) + "\\s+\\S+\\s+\\S+\\s+complete \\((\\d+)/\\1\\)").matcher(check).find());
            assertSame("images check", both("-n", "e2e", "images", "check"));
            assertSame("content ls", both("-n", "e2e", "content", "ls"));
            assertSame("snapshots ls", both("-n", "e2e", "snapshots", "ls"));
            assertSame("snapshots tree", both("-n", "e2e", "snapshots", "tree"));
            List<String> chain = img.chainIds();
            String topChain = chain.get(chain.size() - 1);
            assertSame("snapshots usage", both("-n", "e2e", "snapshots", "usage"));
            assertSame("snapshots info", both("-n", "e2e", "snapshots", "info", topChain));
            for (var b : img.allBlobs(img.ociManifest)) {
                assertTrue(b.digest(), Files.isRegularFile(contentBlob(b.digest())));
            }

            // a view of the top layer mounts for real and shows the image's tree, whiteouts applied
            Path mnt = Files.createDirectories(dir.resolve("mnt-view"));
            ok(ours("-n", "e2e", "snapshots", "view", "e2e-view", topChain), "view");
            String mount = ok(ours("-n", "e2e", "snapshots", "mounts", mnt.toString(), "e2e-view"), "mounts").out().trim();
            assertTrue(mount, mount.matches("mount -t overlay overlay " + Pattern.quote(mnt.toString()) + " -o \\S*lowerdir=\\S+"));
            ok(Processes.run(30, List.of("sh", "-c", mount)), "mount");
            try {
                assertTrue(Files.isRegularFile(mnt.resolve("bin/busybox")));
                assertTrue(Files.isSymbolicLink(mnt.resolve("bin/sh")));
                assertEquals("hi\n", Files.readString(mnt.resolve("opt/hello.txt")));
                assertEquals("/bin/busybox", Files.readSymbolicLink(mnt.resolve("opt/sh")).toString());
                assertEquals(Files.getAttribute(mnt.resolve("opt/hello.txt"), "unix:ino"),
                        Files.getAttribute(mnt.resolve("opt/hello2.txt"), "unix:ino"));
                assertFalse("whited out", Files.exists(mnt.resolve("etc/group")));
                assertTrue(Files.isRegularFile(mnt.resolve("etc/passwd")));
            } finally {
                ok(Processes.run(30, List.of("umount", mnt.toString())), "umount");
            }
            ok(ours("-n", "e2e", "snapshots", "rm", "e2e-view"), "rm view");

            // export, and the export imports again on both
            Path out = dir.resolve("e2e-export.tar");
            ok(ours("-n", "e2e", "images", "export", out.toString(), name), "export");
            assertSame("export re-import", both("-n", "e2e2", "images", "import", out.toString()));
            assertSame("re-imported images ls", both("-n", "e2e2", "images", "ls"));
            assertSame("re-imported check", both("-n", "e2e2", "images", "check"));
        }
    }

    @Test
    public void dockerArchiveImportsIntoTheNativeSnapshotter() throws Exception {
        try (TestImages.Image img = TestImages.busybox("busybox:native")) {
            Path tar = img.writeDockerArchive(dir.resolve("native-docker.tar"));
            assertSame("import", both("-n", "nat", "images", "import", "--snapshotter", "native", tar.toString()));
            assertSame("images ls", both("-n", "nat", "images", "ls"));
            assertSame("snapshots ls", both("-n", "nat", "snapshots", "--snapshotter", "native", "ls"));
            String topChain = img.chainIds().get(img.chainIds().size() - 1);
            ok(ours("-n", "nat", "snapshots", "--snapshotter", "native", "prepare", "nat-k", topChain), "prepare");
            Path mnt = Files.createDirectories(dir.resolve("mnt-native"));
            String mount = ok(ours("-n", "nat", "snapshots", "--snapshotter", "native", "mounts", mnt.toString(), "nat-k"),
                    "mounts").out().trim();
            ok(Processes.run(30, List.of("sh", "-c", mount)), "mount " + mount);
            try {
                assertTrue(Files.isRegularFile(mnt.resolve("bin/busybox")));
                Files.writeString(mnt.resolve("written"), "x");
            } finally {
                ok(Processes.run(30, List.of("umount", mnt.toString())), "umount");
            }
            ok(ours("-n", "nat", "snapshots", "--snapshotter", "native", "rm", "nat-k"), "rm");

            // ctr mounts the container's new snapshot read-only itself to read the image's passwd
            assertSame("containers create from the image", both("-n", "nat", "containers", "create",
                    "--snapshotter", "native", "docker.io/library/busybox:native", "cn", "sh"));
            assertSame("containers ls", both("-n", "nat", "containers", "ls"));
            assertSame("its snapshot", both("-n", "nat", "snapshots", "--snapshotter", "native", "info", "cn"));
            assertSame("containers rm", both("-n", "nat", "containers", "rm", "cn"));
        }
    }

    @Test
    public void pullFromARegistry() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start();
                TestImages.Image img = TestImages.busybox("busybox", new TestImages.Layer().file("pulled", "p\n".getBytes(), 0644))) {
            String ref = registry.push(img, "busybox", "latest");
            Processes.Result pull = ok(ours("-n", "pull", "images", "pull", "--plain-http", ref), "pull");
            assertTrue(pull.out(), pull.out().contains("unpacking"));
            ok(reference.ctr("-n", "pull", "images", "pull", "--plain-http", ref), "containerd pull");
            collectGarbage();
            assertSame("images ls", both("-n", "pull", "images", "ls"));
            assertSame("images check", both("-n", "pull", "images", "check"));
            assertSame("content ls", both("-n", "pull", "content", "ls"));
            assertSame("snapshots ls", both("-n", "pull", "snapshots", "ls"));
        }
    }

    @Test
    public void removingAnImageCollectsItsBlobsAndSnapshotsFromDisk() throws Exception {
        try (TestImages.Image img = TestImages.busybox("docker.io/library/gc:1",
                new TestImages.Layer().file("gc-only", UUID.randomUUID().toString().getBytes(), 0644))) {
            Path tar = img.writeOciArchive(dir.resolve("gc.tar"));
            ok(ours("-n", "gc", "images", "import", tar.toString()), "import");
            Path snapshots = ours.root.resolve("io.containerd.snapshotter.v1.overlayfs/snapshots");
            long before = filesUnder(snapshots);
            assertTrue(before > 0);
            String chainTop = img.chainIds().get(img.chainIds().size() - 1);
            assertTrue(ours("-n", "gc", "snapshots", "ls").out().contains(chainTop));

            ok(ours("-n", "gc", "images", "rm", "docker.io/library/gc:1"), "rm");
            // not sync: the scheduler collects shortly after the deletion
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline
                    && !ours("-n", "gc", "content", "ls", "-q").out().isBlank()) {
                Thread.sleep(50);
            }
            assertEquals("", ours("-n", "gc", "content", "ls", "-q").out().trim());
            assertEquals(ours("-n", "gc", "snapshots", "ls").out(), 1,
                    ours("-n", "gc", "snapshots", "ls").out().lines().count());
            // the busybox layer (first) is shared with the other tests' namespaces; the rest is this image's own
            for (var b : img.allBlobs(img.ociManifest).subList(1, img.layerCount() + 2)) {
                assertFalse(b.digest() + " gone from disk", Files.exists(contentBlob(b.digest())));
            }
            assertTrue("snapshot directories removed", filesUnder(snapshots) < before);

            // with --sync the removal has happened when ctr returns
            ok(ours("-n", "gc", "images", "import", tar.toString()), "import again");
            assertNotEquals("", ours("-n", "gc", "content", "ls", "-q").out().trim());
            ok(ours("-n", "gc", "images", "rm", "--sync", "docker.io/library/gc:1"), "rm --sync");
            assertEquals("", ours("-n", "gc", "content", "ls", "-q").out().trim());
            for (var b : img.allBlobs(img.ociManifest).subList(1, img.layerCount() + 2)) {
                assertFalse(b.digest() + " gone from disk", Files.exists(contentBlob(b.digest())));
            }
        }
    }

    @Test
    public void layersThatEscapeTheirSnapshotAreRefused() throws Exception {
        String canary = "jcd-escape-" + UUID.randomUUID();
        Path outside = Path.of("/tmp").resolve(canary);
        Files.createDirectories(outside);
        try {
            TarArchiveEntry dotdot = new TarArchiveEntry("../../../../../../tmp/" + canary + "/dotdot", TarArchiveEntry.LF_NORMAL, true);
            dotdot.setSize(2);
            TestImages.Layer traversal = new TestImages.Layer().raw(dotdot, "x\n".getBytes(StandardCharsets.UTF_8));
            TestImages.Layer symlinkEscape = new TestImages.Layer().symlink("evil", outside.toString())
                    .file("evil/through-symlink", "x\n".getBytes(StandardCharsets.UTF_8), 0644);
            int n = 0;
            for (TestImages.Layer bad : List.of(traversal, symlinkEscape)) {
                String name = "docker.io/library/evil:" + n++;
                try (TestImages.Image img = TestImages.busybox(name, bad)) {
                    Path tar = img.writeOciArchive(dir.resolve("evil-" + n + ".tar"));
                    // a namespace per image: a failed import leaves the busybox layer's snapshot to the
                    // collector, which may remove it between the next import's Stat and its Prepare
                    Processes.Result r = ours("-n", "evil-" + n, "images", "import", tar.toString());
                    assertNotEquals("import of " + name + " must fail\n" + r, 0, r.rc());
                    assertTrue(r.toString(), r.err().contains("invalid argument"));
                }
                try (Stream<Path> s = Files.list(outside)) {
                    assertEquals("nothing written outside the snapshot", List.of(), s.toList());
                }
            }
        } finally {
            Processes.deleteTree(outside);
        }
    }
}
