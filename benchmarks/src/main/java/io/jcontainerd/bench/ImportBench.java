package io.jcontainerd.bench;

import io.jcontainerd.itests.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Import benchmark: {@code ctr images import} of one multi-layer image (busybox plus two layers of
 * random data, about {@code --image-mb} in all) into jcontainerd and containerd 1.6.20, side by side,
 * interleaved, {@code --rounds} times. Each round starts a fresh daemon of each kind in a new directory
 * and times its first import (the JVM still compiling: the figure after a start), then removes the
 * image with {@code ctr images rm --sync} and imports it again {@code --warm} times (the figure of a
 * running daemon). Every import starts from an empty store: after each removal the bench checks that
 * garbage collection left no content and no snapshot, so blobs are written and every layer is
 * unpacked each time. Prints each import, the medians and the ratios ours/containerd (lower is faster).
 *
 * <pre>
 * java -cp ... io.jcontainerd.bench.ImportBench [--image-mb 100] [--rounds 5] [--warm 3]
 *     [--dist dist/target/jcontainerd] [--containerd /usr/bin/containerd] [--ctr ctr]
 * </pre>
 */
public final class ImportBench {
    private static final String IMAGE = "docker.io/library/importbench:latest";

    private ImportBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = Daemons.options(args, Map.of("--image-mb", "100", "--rounds", "5", "--warm", "3",
                "--dist", "dist/target/jcontainerd", "--containerd", "/usr/bin/containerd", "--ctr", "ctr"));
        int mb = Integer.parseInt(opt.get("--image-mb"));
        int rounds = Integer.parseInt(opt.get("--rounds"));
        int warm = Integer.parseInt(opt.get("--warm"));
        String ctr = opt.get("--ctr");
        List<Daemons.Kind> kinds = Daemons.sideBySide(opt);
        Path work = Files.createTempDirectory("jcd-importbench-");
        try (TestImages.Image img = TestImages.bigBusybox(IMAGE, mb)) {
            Path tar = img.writeOciArchive(work.resolve("image.tar"));
            System.out.printf("image: %d layers, %.1f MB archive%n", img.layerCount(), Files.size(tar) / 1e6);
            Map<String, List<Double>> first = new LinkedHashMap<>();
            Map<String, List<Double>> running = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                List<Daemons.Kind> order = new ArrayList<>(kinds);
                if (r % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (Daemons.Kind k : order) {
                    List<Double> s = importRound(k, work.resolve(k.name() + "-" + r), tar, ctr, warm);
                    first.computeIfAbsent(k.name(), n -> new ArrayList<>()).add(s.get(0));
                    running.computeIfAbsent(k.name(), n -> new ArrayList<>()).addAll(s.subList(1, s.size()));
                    System.out.printf("round %d %-16s first %.3f s, then %s%n", r + 1, k.name(), s.get(0),
                            s.subList(1, s.size()).stream().map(x -> String.format("%.3f s", x)).toList());
                }
            }
            report("first import after a start", first, kinds);
            if (warm > 0) {
                report("import into a running daemon", running, kinds);
            }
        } finally {
            Daemons.deleteTree(work);
        }
    }

    private static void report(String what, Map<String, List<Double>> seconds, List<Daemons.Kind> kinds) {
        double ours = Daemons.median(seconds.get(kinds.get(0).name()));
        double theirs = Daemons.median(seconds.get(kinds.get(1).name()));
        System.out.printf("median, %s (%d each): %s %.3f s, %s %.3f s, ratio %.2f (time ours/containerd)%n", what,
                seconds.get(kinds.get(0).name()).size(), kinds.get(0).name(), ours, kinds.get(1).name(), theirs,
                ours / theirs);
    }

    /** A fresh daemon: the first import, then {@code warm} times removal, garbage collection and import. */
    private static List<Double> importRound(Daemons.Kind kind, Path dir, Path tar, String ctr, int warm)
            throws Exception {
        Files.createDirectories(dir);
        Path socket = dir.resolve("d.sock");
        Process daemon = kind.start(dir, socket);
        try {
            Daemons.awaitServing(ctr, socket, daemon);
            List<Double> out = new ArrayList<>();
            out.add(timedImport(kind, socket, tar, ctr));
            for (int i = 0; i < warm; i++) {
                Daemons.ctr(ctr, socket, kind.name(), 120, "images", "rm", "--sync", IMAGE);
                String content = Daemons.ctr(ctr, socket, kind.name(), 60, "content", "ls", "-q").strip();
                String snapshots = Daemons.ctr(ctr, socket, kind.name(), 60, "snapshots", "ls").strip();
                if (!content.isEmpty() || snapshots.lines().count() > 1) {
                    throw new IOException(kind.name() + ": images rm --sync left content or snapshots:\n"
                            + content + "\n" + snapshots);
                }
                out.add(timedImport(kind, socket, tar, ctr));
            }
            return out;
        } finally {
            Daemons.stop(daemon);
            Daemons.unmountUnder(dir);
            Daemons.deleteTree(dir);
        }
    }

    private static double timedImport(Daemons.Kind kind, Path socket, Path tar, String ctr) throws Exception {
        long t0 = System.nanoTime();
        Daemons.ctr(ctr, socket, kind.name(), 600, "images", "import", tar.toString());
        return (System.nanoTime() - t0) / 1e9;
    }
}
