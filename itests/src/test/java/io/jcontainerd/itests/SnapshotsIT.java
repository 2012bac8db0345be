package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * Snapshots through the real ctr, for the overlayfs and native snapshotters, answer for answer against
 * the real containerd 1.6: the mount commands ctr prints are run with sh and must work, and every mount
 * made here is undone.
 */
public class SnapshotsIT {

    /** One daemon under test: how to run ctr against it, its root, and a mount point of its own. */
    private record Side(String name, Ctr ctr, Path root, Path mnt) {
    }

    private interface Ctr {
        Processes.Result run(String... args) throws IOException, InterruptedException;
    }

    @Test
    public void overlayfsSessionMatchesContainerd() throws Exception {
        session("overlayfs");
    }

    @Test
    public void nativeSessionMatchesContainerd() throws Exception {
        session("native");
    }

    private void session(String sn) throws Exception {
        try (Daemon ours = Daemon.create("").start(); Containerd reference = Containerd.start()) {
            Side theirs = new Side("containerd", reference::ctr, reference.dir.resolve("root"),
                    Files.createDirectories(reference.dir.resolve("mnt")));
            Side mine = new Side("jcontainerd", ours::ctr, ours.root, Files.createDirectories(ours.dir.resolve("mnt")));
            List<Side> sides = List.of(theirs, mine);
            try {
                same(sides, sn, "prepare", "k0");
                for (Side s : sides) {
                    String cmd = mountCommand(s, sn, "k0");
                    assertTrue(cmd, cmd.startsWith("mount -t bind "));
                    mount(s, cmd);
                    Files.writeString(s.mnt().resolve("hello"), "hello from " + sn + "\n");
                    umount(s);
                }
                same(sides, sn, "commit", "c0", "k0");
                same(sides, sn, "prepare", "k1", "c0");
                // ctr gives views no gc.root label: without one, the collection that the commit's removal of
                // k0 scheduled (each daemon on its own schedule) could take v1 away before it is labelled;
                // run it to completion on both first
                Processes.collectGarbage(reference.socket);
                Processes.collectGarbage(ours.socket);
                same(sides, sn, "view", "v1", "c0");
                same(sides, sn, "label", "v1", "containerd.io/gc.root=kept");
                same(sides, sn, "mounts", "<mnt>", "k1");
                same(sides, sn, "mounts", "<mnt>", "v1");
                for (Side s : sides) {
                    String cmd = mountCommand(s, sn, "k1");
                    if (sn.equals("overlayfs")) {
                        assertTrue(cmd, cmd.startsWith("mount -t overlay overlay "));
                        assertTrue(cmd, cmd.contains(",lowerdir=" + s.root()));
                    }
                    mount(s, cmd);
                    assertEquals(s.name(), "hello from " + sn + "\n", Files.readString(s.mnt().resolve("hello")));
                    Files.writeString(s.mnt().resolve("k1-file"), "written in k1\n");
                    umount(s);

                    mount(s, mountCommand(s, sn, "v1"));
                    assertEquals(s.name(), "hello from " + sn + "\n", Files.readString(s.mnt().resolve("hello")));
                    assertFalse(s.name(), Files.exists(s.mnt().resolve("k1-file")));
                    try {
                        Files.writeString(s.mnt().resolve("x"), "x");
                        throw new AssertionError(s.name() + ": a view is writable");
                    } catch (IOException expected) {
                        // read-only
                    }
                    umount(s);
                }
                for (String[] args : List.of(
                        new String[] {"ls"},
                        new String[] {"tree"},
                        new String[] {"info", "c0"},
                        new String[] {"info", "k1"},
                        new String[] {"usage"},
                        new String[] {"usage", "c0"},
                        new String[] {"label", "c0", "a=b"},
                        new String[] {"info", "c0"},
                        new String[] {"label", "c0", "a="},
                        new String[] {"ls", "labels.a==b"},
                        new String[] {"rm", "c0"},
                        new String[] {"rm", "nope"},
                        new String[] {"info", "nope"},
                        new String[] {"prepare", "k1", "c0"},
                        new String[] {"prepare", "k9", "nope"},
                        new String[] {"commit", "c0", "k1"},
                        new String[] {"commit", "c2", "v1"},
                        new String[] {"-n", "other", "ls"},
                        new String[] {"-n", "other", "info", "c0"},
                        new String[] {"-n", "other", "prepare", "k2", "c0"},
                        new String[] {"-n", "other", "prepare", "k0"},
                        new String[] {"-n", "other", "ls"},
                        new String[] {"ls"},
                        new String[] {"-n", "other", "rm", "k0"},
                        new String[] {"rm", "k1", "v1"},
                        new String[] {"rm", "c0"},
                        new String[] {"ls"})) {
                    if (args[0].equals("-n")) {
                        List<String> rest = new ArrayList<>(List.of(args).subList(2, args.length));
                        sameIn(sides, args[1], sn, rest.toArray(String[]::new));
                    } else {
                        same(sides, sn, args);
                    }
                }
                same(sides, "zfs", "ls");
                // removed snapshots leave nothing on disk once collected
                Path dirs = ours.root.resolve("io.containerd.snapshotter.v1." + sn).resolve("snapshots");
                long deadline = System.currentTimeMillis() + 10_000;
                while (count(dirs) > 0 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals("directories left in " + dirs, 0, count(dirs));
            } finally {
                for (Side s : sides) {
                    while (mounted(s.mnt())) {
                        Processes.run(30, List.of("umount", "-l", s.mnt().toString()));
                    }
                }
            }
        }
    }

    /** Runs {@code ctr snapshots --snapshotter sn args} on both sides and compares the answers. */
    private static void same(List<Side> sides, String sn, String... args) throws Exception {
        sameIn(sides, null, sn, args);
    }

    private static void sameIn(List<Side> sides, String namespace, String sn, String... args) throws Exception {
        List<Processes.Result> results = new ArrayList<>();
        for (Side s : sides) {
            List<String> cmd = new ArrayList<>();
            if (namespace != null) {
                cmd.addAll(List.of("-n", namespace));
            }
            cmd.addAll(List.of("snapshots", "--snapshotter", sn));
            for (String a : args) {
                cmd.add(a.equals("<mnt>") ? s.mnt().toString() : a);
            }
            Processes.Result r = normalized(s, s.ctr().run(cmd.toArray(String[]::new)));
            if (args.length > 0 && args[0].equals("label")) {
                // ctr prints the labels in Go map order, which is random: compare them sorted
                String sorted = Stream.of(r.out().strip().split(",")).sorted().reduce((a, b) -> a + "," + b).orElse("");
                r = new Processes.Result(r.rc(), sorted, r.err());
            }
            results.add(r);
        }
        assertEquals("ctr " + (namespace == null ? "" : "-n " + namespace + " ") + "snapshots --snapshotter " + sn
                + " " + String.join(" ", args), results.get(0), results.get(1));
    }

    /** Roots, mount points and times differ between the two daemons; everything else must not. */
    private static Processes.Result normalized(Side s, Processes.Result r) {
        Function<String, String> n = t -> t.replace(s.root().toString(), "<root>").replace(s.mnt().toString(), "<mnt>")
                .replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z", "<time>");
        return new Processes.Result(r.rc(), n.apply(r.out()), n.apply(r.err()));
    }

    private static String mountCommand(Side s, String sn, String key) throws Exception {
        Processes.Result r = s.ctr().run("snapshots", "--snapshotter", sn, "mounts", s.mnt().toString(), key);
        assertEquals(s.name() + ": " + r, 0, r.rc());
        return r.out().strip();
    }

    private static void mount(Side s, String command) throws Exception {
        Processes.Result r = Processes.run(30, List.of("sh", "-c", command));
        assertEquals(s.name() + ": " + command + "\n" + r, 0, r.rc());
        assertTrue(mounted(s.mnt()));
    }

    private static void umount(Side s) throws Exception {
        Processes.Result r = Processes.run(30, List.of("umount", s.mnt().toString()));
        assertEquals(r.toString(), 0, r.rc());
        assertFalse(mounted(s.mnt()));
    }

    private static boolean mounted(Path p) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(l -> l.split(" ")[4].equals(p.toString()));
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
