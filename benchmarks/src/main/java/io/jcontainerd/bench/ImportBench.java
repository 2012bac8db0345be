package io.jcontainerd.bench;

import io.jcontainerd.itests.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Import benchmark: {@code ctr images import} of one multi-layer image (busybox plus two layers of
 * random data, about {@code --image-mb} in all) into a fresh jcontainerd and a fresh containerd
 * 1.6.20, side by side, interleaved, {@code --rounds} times. Each import starts from an empty store
 * (a new daemon in a new directory), so blobs are written and every layer is unpacked. Prints each
 * round, the medians and the ratio ours/containerd (lower is faster).
 *
 * <pre>
 * java -cp ... io.jcontainerd.bench.ImportBench [--image-mb 100] [--rounds 5]
 *     [--dist dist/target/jcontainerd] [--containerd /usr/bin/containerd] [--ctr ctr]
 * </pre>
 */
public final class ImportBench {
    private ImportBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = Daemons.options(args, Map.of("--image-mb", "100", "--rounds", "5",
                "--dist", "dist/target/jcontainerd", "--containerd", "/usr/bin/containerd", "--ctr", "ctr"));
        int mb = Integer.parseInt(opt.get("--image-mb"));
        int rounds = Integer.parseInt(opt.get("--rounds"));
        List<Daemons.Kind> kinds = Daemons.sideBySide(opt);
        Path work = Files.createTempDirectory("jcd-importbench-");
        try (TestImages.Image img = TestImages.bigBusybox("docker.io/library/importbench:latest", mb)) {
            Path tar = img.writeOciArchive(work.resolve("image.tar"));
            System.out.printf("image: %d layers, %.1f MB archive%n", img.layerCount(), Files.size(tar) / 1e6);
            Map<String, List<Double>> seconds = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                List<Daemons.Kind> order = new ArrayList<>(kinds);
                if (r % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (Daemons.Kind k : order) {
                    double s = importOnce(k, work.resolve(k.name() + "-" + r), tar, opt.get("--ctr"));
                    seconds.computeIfAbsent(k.name(), n -> new ArrayList<>()).add(s);
                    System.out.printf("round %d %-16s %.3f s%n", r + 1, k.name(), s);
                }
            }
            double ours = Daemons.median(seconds.get(kinds.get(0).name()));
            double theirs = Daemons.median(seconds.get(kinds.get(1).name()));
            System.out.printf("median: %s %.3f s, %s %.3f s, ratio %.2f (time ours/containerd)%n",
                    kinds.get(0).name(), ours, kinds.get(1).name(), theirs, ours / theirs);
        } finally {
            Daemons.deleteTree(work);
        }
    }

    private static double importOnce(Daemons.Kind kind, Path dir, Path tar, String ctr) throws Exception {
        Files.createDirectories(dir);
        Path socket = dir.resolve("d.sock");
        Process daemon = kind.start(dir, socket);
        try {
            Daemons.awaitServing(ctr, socket, daemon);
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(ctr, "-a", socket.toString(), "images", "import", tar.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("import.log").toFile()).start();
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(kind.name() + ": import failed: " + Files.readString(dir.resolve("import.log")));
            }
            return (System.nanoTime() - t0) / 1e9;
        } finally {
            Daemons.stop(daemon);
            Daemons.unmountUnder(dir);
            Daemons.deleteTree(dir);
        }
    }
}
