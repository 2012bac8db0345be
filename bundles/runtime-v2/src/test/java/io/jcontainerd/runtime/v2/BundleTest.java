package io.jcontainerd.runtime.v2;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static int gid(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void directoriesGetContainerdsModes() throws Exception {
        Bundle b = Bundle.create(tmp.resolve("root"), tmp.resolve("state"), "ns", "t1",
                "{\"ociVersion\":\"1.0.2-dev\"}".getBytes(UTF_8));
        assertEquals("rwx--x--x", mode(tmp.resolve("state")));
        assertEquals("rwx--x--x", mode(tmp.resolve("state/ns")));
        assertEquals("rwx------", mode(b.path()));
        assertEquals(0, gid(b.path()));
        assertEquals("rwx--x--x", mode(b.rootfs()));
        assertEquals("rwx--x--x", mode(tmp.resolve("root/ns")));
        assertEquals("rwx--x--x", mode(tmp.resolve("root/ns/t1")));
        assertEquals(tmp.resolve("root/ns/t1"), Files.readSymbolicLink(b.path().resolve("work")));
    }

    @Test
    void aUserNamespaceGivesTheRemappedRootGroupTheWayToItsRootfs() throws Exception {
        String spec = """
                {"ociVersion":"1.0.2-dev","linux":{
                  "uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],
                  "gidMappings":[{"containerID":1,"hostID":300001,"size":10},{"containerID":0,"hostID":200000,"size":1}],
                  "namespaces":[{"type":"user"}]}}""";
        Bundle b = Bundle.create(tmp.resolve("root"), tmp.resolve("state"), "ns", "t2", spec.getBytes(UTF_8));
        assertEquals("rwx--x---", mode(b.path()));
        assertEquals(200000, gid(b.path()));
        assertEquals(0, (Integer) Files.getAttribute(b.path(), "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void remappedGidIsZeroWithoutAMappingOfGidZero() throws Exception {
        assertEquals(0, Bundle.remappedGid("{}".getBytes(UTF_8)));
        assertEquals(0, Bundle.remappedGid("{\"linux\":{\"gidMappings\":[]}}".getBytes(UTF_8)));
        assertEquals(0, Bundle.remappedGid(
                "{\"linux\":{\"gidMappings\":[{\"containerID\":5,\"hostID\":9,\"size\":1}]}}".getBytes(UTF_8)));
    }

    @Test
    void aSpecWithGidMappingsThatIsNotJsonIsRefusedAndLeavesNothing() {
        ContainerdException e = assertThrows(ContainerdException.class, () -> Bundle.create(tmp.resolve("root"),
                tmp.resolve("state"), "ns", "t3", "{\"gidMappings\": [".getBytes(UTF_8)));
        assertEquals(ErrorCode.UNKNOWN, e.code()); // as containerd, whose json.Unmarshal error is no errdefs error
        assertFalse(Files.exists(tmp.resolve("state/ns/t3")));
        assertFalse(Files.exists(tmp.resolve("root/ns/t3")));
    }

    /** A warm shim's placeholder becomes the task's bundle: what the shim wrote stays, the task's spec replaces the empty one. */
    @Test
    void adoptingAPlaceholderMakesItTheTasksBundle() throws Exception {
        Path placeholder = Files.createDirectories(tmp.resolve("state/ns/.warm~1"));
        Files.writeString(placeholder.resolve("config.json"), "{}");
        Files.writeString(placeholder.resolve("address"), "unix:///run/containerd/s/x");
        String spec = """
                {"ociVersion":"1.0.2-dev","linux":{"gidMappings":[{"containerID":0,"hostID":200000,"size":1}]}}""";
        Bundle b = Bundle.adopt(placeholder, tmp.resolve("root"), tmp.resolve("state"), "ns", "t5", spec.getBytes(UTF_8));
        assertEquals(tmp.resolve("state/ns/t5"), b.path());
        assertFalse(Files.exists(placeholder));
        assertEquals(spec, Files.readString(b.path().resolve("config.json")));
        assertEquals("unix:///run/containerd/s/x", Files.readString(b.path().resolve("address")));
        assertEquals("rwx--x---", mode(b.path()));
        assertEquals(200000, gid(b.path()));
        assertEquals("rwx--x--x", mode(b.rootfs()));
        assertEquals(tmp.resolve("root/ns/t5"), Files.readSymbolicLink(b.path().resolve("work")));
    }

    @Test
    void adoptingOntoAnExistingBundleFailsAsCreateDoesAndLeavesThePlaceholder() throws Exception {
        Path placeholder = Files.createDirectories(tmp.resolve("state/ns/.warm~2"));
        Files.writeString(placeholder.resolve("config.json"), "{}");
        Path existing = Files.createDirectories(tmp.resolve("state/ns/t6")); // empty: rename(2) would replace it
        ContainerdException e = assertThrows(ContainerdException.class, () -> Bundle.adopt(placeholder, tmp.resolve("root"),
                tmp.resolve("state"), "ns", "t6", "{}".getBytes(UTF_8)));
        assertEquals(ErrorCode.UNKNOWN, e.code());
        assertEquals("mkdir " + existing + ": file exists", e.getMessage());
        assertEquals("{}", Files.readString(placeholder.resolve("config.json")));
        assertEquals(0, Files.list(existing).count());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(ContainerdException.class, () -> Bundle.adopt(placeholder,
                tmp.resolve("root"), tmp.resolve("state"), "ns", "-bad", "{}".getBytes(UTF_8))).code());
        assertEquals("{}", Files.readString(placeholder.resolve("config.json")));
    }

    /** A deleted task's bundle whose shim lives on: back to a placeholder, with nothing of the task left. */
    @Test
    void aRecycledBundleIsAPlaceholderAgainWithTheShimsAddressAndLog() throws Exception {
        String spec = """
                {"ociVersion":"1.0.2-dev","linux":{"gidMappings":[{"containerID":0,"hostID":200000,"size":1}],
                  "namespaces":[{"type":"user"}]}}""";
        Bundle b = Bundle.create(tmp.resolve("root"), tmp.resolve("state"), "ns", "t7", spec.getBytes(UTF_8));
        Files.writeString(b.path().resolve("address"), "unix:///run/containerd/s/abc");
        Files.writeString(b.path().resolve("log"), "");
        Files.writeString(b.path().resolve("init.pid"), "42");
        Files.writeString(b.path().resolve("log.json"), "");
        Files.writeString(tmp.resolve("root/ns/t7/state"), "x");
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("kept"), "a file of the image");
        io.jcontainerd.mount.linux.LinuxMounter mounter = new io.jcontainerd.mount.linux.LinuxMounter();
        mounter.mountAll(java.util.List.of(new io.jcontainerd.mount.Mount("bind", lower.toString(),
                java.util.List.of("rbind", "rw"))), b.rootfs());
        try {
            Bundle p = b.recycle(mounter, "warm~9");
            assertEquals(tmp.resolve("state/ns/.warm~9"), p.path());
            assertEquals("warm~9", p.id());
            assertFalse(Files.exists(b.path(), LinkOption.NOFOLLOW_LINKS));
            assertFalse(Files.exists(tmp.resolve("root/ns/t7"), LinkOption.NOFOLLOW_LINKS), "the work directory");
            try (java.util.stream.Stream<Path> files = Files.list(p.path())) {
                assertEquals(java.util.List.of("address", "config.json", "log"),
                        files.map(f -> f.getFileName().toString()).sorted().toList());
            }
            assertEquals("unix:///run/containerd/s/abc", Files.readString(p.path().resolve("address")));
            assertEquals("{}", Files.readString(p.path().resolve("config.json")));
            assertEquals("rwx------", mode(p.path()));
            assertEquals(0, gid(p.path()));
            assertEquals("a file of the image", Files.readString(lower.resolve("kept")), "unmounted, not emptied");
            assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(b.rootfs().toString()));
        } finally {
            mounter.unmountAll(b.rootfs(), true);
        }
    }

    /** Something other than a mount in rootfs: nothing is removed below it, and the bundle stays for its removal. */
    @Test
    void aBundleWhoseRootfsIsNotEmptyIsNotRecycled() throws Exception {
        Bundle b = Bundle.create(tmp.resolve("root"), tmp.resolve("state"), "ns", "t8", "{}".getBytes(UTF_8));
        Files.writeString(b.rootfs().resolve("stray"), "x");
        io.jcontainerd.mount.linux.LinuxMounter mounter = new io.jcontainerd.mount.linux.LinuxMounter();
        assertThrows(java.nio.file.DirectoryNotEmptyException.class, () -> b.recycle(mounter, "warm~8"));
        assertEquals("x", Files.readString(b.rootfs().resolve("stray")));
        assertEquals("{}", Files.readString(b.path().resolve("config.json")));
        assertFalse(Files.exists(tmp.resolve("state/ns/.warm~8")));
    }
}
