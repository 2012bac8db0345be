package io.jcontainerd.bench.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Durable KV store benchmark: H2 MVStore vs LMDB (lmdbjava).
 *
 * Usage: java [add-opens] -cp ... io.jcontainerd.bench.store.StoreBench [all|fsync|bench|crash] [baseDir]
 *        java ... io.jcontainerd.bench.store.StoreBench crashchild STORE MODE DIR ROUND THREADS   (internal)
 */
public final class StoreBench {

    static final int LOAD_KEYS = Integer.getInteger("bench.keys", 100_000);
    static final int SCAN_KEYS = 1_000;
    static final long MIN_MS = Long.getLong("bench.minMs", 3_000), MAX_MS = 30_000;
    static final int MIN_OPS = Integer.getInteger("bench.minOps", 3_000);
    static final int HI = 16;
    static final String[] STORES = System.getProperty("bench.stores", "mvstore,mvstore-tuned,lmdb").split(",");
    static final List<String[]> rows = new ArrayList<>();   // results table rows
    static final List<String> notes = new ArrayList<>();

    // ---------------------------------------------------------------- keys / values
    static String key(String ns, long id) {
        // "ctr/v1/default1/containers/000000000042" = 39 bytes
        return "ctr/v1/" + ns + "/containers/" + String.format("%012d", id);
    }

    static final String PAD;
    static {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 60) sb.append('x');
        PAD = sb.toString();
    }

    static String value(long id) {
        String s = "{\"id\":\"c" + id + "\",\"image\":\"docker.io/library/busybox:1.36\","
                + "\"runtime\":{\"name\":\"io.containerd.runc.v2\",\"options\":null},"
                + "\"labels\":{\"io.kubernetes.pod.namespace\":\"default\",\"app\":\"web\"},"
                + "\"snapshotter\":\"overlayfs\",\"snapshotKey\":\"sk-" + id + "\","
                + "\"createdAt\":\"2024-05-01T12:00:00.000000000Z\",\"updatedAt\":\"2024-05-01T12:00:00Z\",\"pad\":\"";
        int need = 300 - s.length() - 2;
        return s + PAD.repeat(1 + Math.max(0, need) / PAD.length()).substring(0, Math.max(0, need)) + "\"}";
    }

    // ---------------------------------------------------------------- store abstraction
    interface KV extends AutoCloseable {
        /** mode a: one transaction + fsync per put, writers serialized. */
        void putSync(String k, String v);
        /** mode b: group commit, returns once the put is durable. */
        void putGroup(String k, String v);
        String get(String k);
        /** number of entries under prefix (keys and values are materialised as Strings). */
        int scan(String prefix);
        @Override void close();
    }

    static KV open(String store, Path dir) {
        switch (store) {
            case "mvstore": return new MvKV(dir, false);
            case "mvstore-tuned": return new MvKV(dir, true);
            case "lmdb": return new LmdbKV(dir);
            default: throw new IllegalArgumentException(store);
        }
    }

    // ---------------------------------------------------------------- harness
    static final class Res {
        long ops; double secs; long[] lat; long errors;
        double opsPerSec() { return ops / secs; }
        double pct(double p) {
            if (lat == null || lat.length == 0) return Double.NaN;
            int i = (int) Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1);
            return lat[Math.max(0, i)] / 1e6;
        }
    }

    interface Op { void run(long id) throws Exception; }

    /** run op from `threads` threads until >= MIN_MS and >= minOps (or MAX_MS). */
    static Res run(int threads, long minMs, int minOps, AtomicLong ids, Op op) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long[][] lats = new long[threads][];
        int[] counts = new int[threads];
        Thread[] ts = new Thread[threads];
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            final int ti = t;
            ts[t] = new Thread(() -> {
                long[] l = new long[1 << 14];
                int n = 0;
                while (!stop.get()) {
                    long id = ids.getAndIncrement();
                    long t0 = System.nanoTime();
                    try { op.run(id); } catch (Throwable e) {
                        if (errors.getAndIncrement() < 3) e.printStackTrace();
                        continue;
                    }
                    long d = System.nanoTime() - t0;
                    if (n == l.length) l = Arrays.copyOf(l, n * 2);
                    l[n++] = d;
                    done.incrementAndGet();
                }
                lats[ti] = l; counts[ti] = n;
            });
            ts[t].start();
        }
        while (true) {
            Thread.sleep(20);
            long el = (System.nanoTime() - start) / 1_000_000;
            if ((el >= minMs && done.get() >= minOps) || el >= MAX_MS) break;
        }
        stop.set(true);
        for (Thread t : ts) t.join();
        Res r = new Res();
        r.secs = (System.nanoTime() - start) / 1e9;
        int total = 0;
        for (int c : counts) total += c;
        r.lat = new long[total];
        int p = 0;
        for (int t = 0; t < threads; t++) { System.arraycopy(lats[t], 0, r.lat, p, counts[t]); p += counts[t]; }
        Arrays.sort(r.lat);
        r.ops = total; r.errors = errors.get();
        return r;
    }

    static String f0(double d) { return String.format(Locale.ROOT, "%,.0f", d); }
    static String f2(double d) { return String.format(Locale.ROOT, "%.2f", d); }

    static void row(String store, String test, int threads, Res r) {
        String[] a = {store, test, String.valueOf(threads), f0(r.opsPerSec()), f2(r.pct(0.50)), f2(r.pct(0.99)),
                String.valueOf(r.ops) + (r.errors > 0 ? " (" + r.errors + " err)" : "")};
        rows.add(a);
        System.out.printf("  %-13s %-34s thr=%-2s %10s ops/s  p50=%6s ms  p99=%6s ms  n=%s%n", (Object[]) a);
    }

    /** results of repeated (interleaved) rounds: key "store|test|threads" */
    static final java.util.LinkedHashMap<String, List<Res>> agg = new java.util.LinkedHashMap<>();

    static void record(String store, String test, int threads, Res r) {
        System.out.printf("  %-13s %-34s thr=%-2s %10s ops/s  p50=%6s ms  p99=%6s ms  n=%s%n", store, test, threads,
                f0(r.opsPerSec()), f2(r.pct(0.5)), f2(r.pct(0.99)), r.ops + (r.errors > 0 ? " (" + r.errors + " err)" : ""));
        agg.computeIfAbsent(store + "|" + test + "|" + threads, k -> new ArrayList<>()).add(r);
    }

    static double median(double[] a) {
        double[] b = a.clone();
        Arrays.sort(b);
        return b.length % 2 == 1 ? b[b.length / 2] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2;
    }

    /** one table row per aggregated key: median ops/s (min-max over rounds), median p50 / p99. */
    static void flushAgg() {
        for (var e : agg.entrySet()) {
            String[] k = e.getKey().split("\\|");
            List<Res> l = e.getValue();
            double[] ops = l.stream().mapToDouble(Res::opsPerSec).toArray();
            double[] p50 = l.stream().mapToDouble(r -> r.pct(0.5)).toArray();
            double[] p99 = l.stream().mapToDouble(r -> r.pct(0.99)).toArray();
            long n = l.stream().mapToLong(r -> r.ops).sum();
            long err = l.stream().mapToLong(r -> r.errors).sum();
            String range = l.size() > 1 ? " (" + f0(Arrays.stream(ops).min().getAsDouble()) + "–"
                    + f0(Arrays.stream(ops).max().getAsDouble()) + ")" : "";
            rows.add(new String[]{k[0], k[1], k[2], f0(median(ops)) + range, f2(median(p50)), f2(median(p99)),
                    n + (err > 0 ? " (" + err + " err)" : "")});
        }
        agg.clear();
    }

    static void row(String store, String test, String value) {
        rows.add(new String[]{store, test, "", value, "", "", ""});
        System.out.printf("  %-13s %-34s %s%n", store, test, value);
    }

    // ---------------------------------------------------------------- fsync baseline
    static void fsyncBench(Path base) throws Exception {
        System.out.println("== raw fsync (4 KiB pwrite + FileChannel.force(false))");
        Path f = base.resolve("fsync.dat");
        for (String mode : new String[]{"append", "overwrite"}) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.allocateDirect(4096);
                AtomicLong pos = new AtomicLong();
                Res r = run(1, MIN_MS, MIN_OPS, new AtomicLong(), id -> {
                    b.clear();
                    long off = mode.equals("append") ? pos.getAndIncrement() * 4096 : 0;
                    ch.write(b, off);
                    ch.force(false);
                });
                record("disk", "4KiB write+fdatasync (" + mode + ")", 1, r);
            }
            Files.deleteIfExists(f);
        }
    }

    // ---------------------------------------------------------------- main benchmark
    static void writeBench(String store, Path base) throws Exception {
        Path d1 = Files.createDirectory(base.resolve(store + "-writes"));
        try (KV kv = open(store, d1)) {
            AtomicLong ids = new AtomicLong();
            run(1, 500, 200, ids, id -> kv.putSync(key("warmup00", id), value(id)));           // warm-up
            run(4, 500, 200, ids, id -> kv.putGroup(key("warmup00", id), value(id)));
            for (int th : new int[]{1, HI}) {
                record(store, "put, 1 txn+sync each (a)", th,
                        run(th, MIN_MS, MIN_OPS, ids, id -> kv.putSync(key("bench000", id), value(id))));
            }
            for (int th : new int[]{1, HI}) {
                record(store, "put, group commit (b)", th,
                        run(th, MIN_MS, MIN_OPS, ids, id -> kv.putGroup(key("bench000", id), value(id))));
            }
        }
        rmrf(d1);
    }

    static void storeBench(String store, Path base) throws Exception {
        System.out.println("== " + store);
        // 2. 100k durable single writes (mode a, 1 thread) -> file size, open time
        Path d2 = Files.createDirectory(base.resolve(store + "-100k"));
        long t0 = System.nanoTime();
        try (KV kv = open(store, d2)) {
            for (int i = 0; i < LOAD_KEYS; i++) kv.putSync(key("default1", i), value(i));
            double s = (System.nanoTime() - t0) / 1e9;
            row(store, "load 100k x durable put (a, 1 thr)", f2(s) + " s = " + f0(LOAD_KEYS / s) + " ops/s");
            row(store, "files after 100k puts (open)", sizes(d2));
        }
        row(store, "files after 100k puts (closed)", sizes(d2));
        // open time: first open in this JVM for this file + median of 5 more
        long[] opens = new long[6];
        for (int i = 0; i < opens.length; i++) {
            long o0 = System.nanoTime();
            try (KV kv = open(store, d2)) {
                if (kv.get(key("default1", LOAD_KEYS / 2)) == null) throw new IllegalStateException("missing key");
                opens[i] = System.nanoTime() - o0;
            }
        }
        long[] rest = Arrays.copyOfRange(opens, 1, opens.length);
        Arrays.sort(rest);
        row(store, "open 100k-key store + 1 get", "first " + f2(opens[0] / 1e6) + " ms, median of next 5 "
                + f2(rest[2] / 1e6) + " ms (page cache warm)");

        // 3. reads + scans
        try (KV kv = open(store, d2)) {
            for (int i = 0; i < SCAN_KEYS; i++) kv.putGroup(key("scanns01", i), value(i));
            AtomicLong misses = new AtomicLong();
            run(2, 500, 1000, new AtomicLong(), id -> kv.get(key("default1", ThreadLocalRandom.current().nextInt(LOAD_KEYS)))); // warm
            for (int th : new int[]{1, HI}) {
                Res r = run(th, MIN_MS, MIN_OPS, new AtomicLong(), id -> {
                    int k = ThreadLocalRandom.current().nextInt(LOAD_KEYS);
                    if (kv.get(key("default1", k)) == null) misses.incrementAndGet();
                });
                row(store, "random get (100k keys)", th, r);
            }
            if (misses.get() != 0) notes.add(store + ": " + misses.get() + " read misses!");
            String prefix = "ctr/v1/scanns01/";
            if (kv.scan(prefix) != SCAN_KEYS) throw new IllegalStateException("scan count " + kv.scan(prefix));
            for (int th : new int[]{1, HI}) {
                row(store, "prefix scan of 1000 keys", th, run(th, MIN_MS, 100, new AtomicLong(), id -> {
                    if (kv.scan(prefix) != SCAN_KEYS) throw new IllegalStateException("scan");
                }));
            }
        }
        rmrf(d2);
    }

    static String sizes(Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                sb.append(p.getFileName()).append(": ").append(mb(Files.size(p))).append(" MiB apparent/ ")
                        .append(mb(duBytes(p))).append(" MiB allocated; ");
            }
        }
        return sb.toString();
    }

    static String mb(long b) { return f2(b / 1048576.0); }

    static long duBytes(Path p) throws Exception {
        Process pr = new ProcessBuilder("du", "-B1", p.toString()).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        pr.waitFor();
        return Long.parseLong(out.split("\\s+")[0]);
    }

    static void rmrf(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }

    // ---------------------------------------------------------------- crash test
    static final int CRASH_THREADS = 4;

    static void crashTest(Path base, String store, String mode, int rounds) throws Exception {
        Path dir = Files.createDirectory(base.resolve("crash-" + store + "-" + mode));
        Set<Long> allAcked = new HashSet<>();
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int totalMissing = 0, totalAcked = 0, openErrors = 0;
        StringBuilder per = new StringBuilder();
        for (int round = 0; round < rounds; round++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            for (String a : jvmArgs) if (a.startsWith("--add-") || a.startsWith("-Xm")) cmd.add(a);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), StoreBench.class.getName(), "crashchild",
                    store, mode, dir.toString(), String.valueOf(round), String.valueOf(CRASH_THREADS)));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (!"READY".equals(line)) throw new IllegalStateException("child said " + line);
            ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();
            Thread reader = new Thread(() -> {
                try {
                    String l;
                    while ((l = in.readLine()) != null) if (l.startsWith("A ")) acked.add(Long.parseLong(l.substring(2)));
                } catch (IOException ignore) { }
            });
            reader.start();
            Thread.sleep(2000);
            // SIGKILL, exactly like `kill -9 <pid>`
            Process k = new ProcessBuilder("kill", "-9", String.valueOf(p.pid())).inheritIO().start();
            k.waitFor();
            p.waitFor(10, TimeUnit.SECONDS);
            reader.join(10_000);
            allAcked.addAll(acked);
            int ackedRound = acked.size();
            // reopen and verify every acknowledged key from all rounds so far
            int missing = 0, bad = 0;
            long o0 = System.nanoTime();
            String err = null;
            try (KV kv = open(store, dir)) {
                double openMs = (System.nanoTime() - o0) / 1e6;
                for (long id : allAcked) {
                    String v = kv.get(key("crash000", id));
                    if (v == null) missing++;
                    else if (!v.equals(value(id))) bad++;
                }
                kv.putSync(key("reopen00", round), value(round));   // store must be writable again
                per.append(String.format(Locale.ROOT, "r%d: acked %d (total %d), missing %d, corrupt %d, reopen %.0f ms; ",
                        round, ackedRound, allAcked.size(), missing, bad, openMs));
            } catch (Throwable e) {
                openErrors++;
                err = e.toString();
                per.append("r").append(round).append(": OPEN/VERIFY FAILED ").append(err).append("; ");
            }
            totalMissing += missing + bad;
            totalAcked += ackedRound;
            System.out.printf("  crash %s/%s round %d: exit=%d acked=%d missing=%d corrupt=%d %s%n", store, mode,
                    round, p.exitValue(), ackedRound, missing, bad, err == null ? "" : err);
        }
        row(store, "crash kill -9 x" + rounds + " mode " + mode + " (" + CRASH_THREADS + " writer thr)",
                (totalMissing == 0 && openErrors == 0 ? "PASS" : "FAIL") + ": " + totalAcked
                        + " acked, " + totalMissing + " missing/corrupt, " + openErrors + " open errors");
        notes.add("crash " + store + "/" + mode + ": " + per);
        rmrf(dir);
    }

    /** child: write keys forever, print "A id" after each acknowledged (durable) put. */
    static void crashChild(String store, String mode, Path dir, int round, int threads) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        KV kv = open(store, dir);
        AtomicLong ids = new AtomicLong((long) round * 100_000_000L);
        out.println("READY");
        out.flush();
        for (int t = 0; t < threads; t++) {
            new Thread(() -> {
                while (true) {
                    long id = ids.getAndIncrement();
                    if (mode.equals("a")) kv.putSync(key("crash000", id), value(id));
                    else kv.putGroup(key("crash000", id), value(id));
                    synchronized (out) { out.println("A " + id); out.flush(); }
                }
            }).start();
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    // ---------------------------------------------------------------- main
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("crashchild")) {
            crashChild(args[1], args[2], Path.of(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            return;
        }
        String what = args.length > 0 ? args[0] : "all";
        Path root = Path.of(args.length > 1 ? args[1] : chooseRoot());
        Path base = Files.createTempDirectory(root, "storebench-");
        System.out.println("work dir: " + base);
        System.out.println(sh("df", "-T", base.toString()));
        System.out.println("java " + System.getProperty("java.version") + ", cores " + Runtime.getRuntime().availableProcessors());
        try {
            if (what.equals("all") || what.equals("writes")) {
                int rounds = Integer.getInteger("bench.rounds", 3);
                for (int r = 0; r < rounds; r++) {        // interleaved rounds: the disk of a shared VM is noisy
                    System.out.println("== write round " + (r + 1) + "/" + rounds);
                    settle();
                    fsyncBench(base);
                    for (int i = 0; i < STORES.length; i++) {      // rotate the order each round
                        settle();
                        writeBench(STORES[(i + r) % STORES.length], base);
                    }
                }
                flushAgg();
            }
            if (what.equals("all") || what.equals("bench")) {
                settle();
                fsyncBench(base);
                flushAgg();
                for (String s : STORES) { settle(); storeBench(s, base); }
            }
            if (what.equals("all") || what.equals("crash")) {
                System.out.println("== crash tests");
                for (String s : STORES)
                    for (String m : new String[]{"a", "b"}) crashTest(base, s, m, Integer.getInteger("bench.crashRounds", 5));
            }
        } finally {
            rmrf(base);
        }
        System.out.println();
        System.out.println("| store | test | threads | ops/s or result | p50 ms | p99 ms | n |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String[] r : rows) System.out.println("| " + String.join(" | ", r) + " |");
        System.out.println();
        for (String n : notes) System.out.println("- " + n);
        System.exit(0);
    }

    /** let writeback of the previous phase (and the unlink of its files) finish before measuring. */
    static void settle() throws Exception {
        sh("sync");
        Thread.sleep(3000);
    }

    static String chooseRoot() throws Exception {
        String df = sh("df", "-T", "/tmp");
        return df.contains("tmpfs") ? "/var/tmp" : "/tmp";
    }

    static String sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return s;
    }
}
