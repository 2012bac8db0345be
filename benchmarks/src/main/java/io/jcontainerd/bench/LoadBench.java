package io.jcontainerd.bench;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import containerd.events.ContainerDelete;
import containerd.services.containers.v1.Container;
import containerd.services.containers.v1.ContainersGrpc;
import containerd.services.containers.v1.CreateContainerRequest;
import containerd.services.containers.v1.DeleteContainerRequest;
import containerd.services.containers.v1.GetContainerRequest;
import containerd.services.containers.v1.ListContainersRequest;
import containerd.services.containers.v1.UpdateContainerRequest;
import containerd.services.events.v1.Envelope;
import containerd.services.events.v1.EventsGrpc;
import containerd.services.events.v1.PublishRequest;
import containerd.services.events.v1.SubscribeRequest;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load on the containers and events services of any containerd-API socket, side by side.
 *
 * <p>CRUD mode: N clients, each on its own connection and in its own namespace (pre-filled with 50
 * containers), run Create, Get, Update(labels), List(filtered) and Delete, one op per phase so that
 * each op's throughput is measured on its own. Events mode: S subscribers
 * and P publishers. With two targets the runs are interleaved and the ratios printed. Targets are
 * sockets, or {@code auto}: the built jcontainerd (dist/) and containerd (CRI off) started here in
 * private directories.
 *
 * <pre>
 * java ... io.jcontainerd.bench.LoadBench [--ours SOCKET|auto|none] [--containerd SOCKET|auto|none]
 *      [--clients 1,16] [--seconds 10] [--rounds 1] [--mode crud|events|both]
 *      [--subscribers 8] [--publishers 4]
 * </pre>
 */
public final class LoadBench {
    /** Unix sockets do not take SO_KEEPALIVE, which grpc-netty reports on every connection (held: JUL keeps loggers weakly). */
    static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap");

    static final String[] OPS = {"create", "get", "update", "list", "delete"};

    /** A daemon under load; {@code pid} 0 when it was not started here (no CPU figures then). */
    record Target(String name, Path socket, long pid) {
        long cpuMillis() {
            try {
                return pid == 0 ? 0 : Daemons.cpuMillis(pid);
            } catch (java.io.IOException e) {
                return 0;
            }
        }
    }

    /** Latencies of one op, in nanoseconds. */
    static final class Series {
        private long[] v = new long[1 << 14];
        private int n;

        synchronized void add(long nanos) {
            if (n == v.length) {
                v = Arrays.copyOf(v, n * 2);
            }
            v[n++] = nanos;
        }

        synchronized long[] sorted() {
            long[] s = Arrays.copyOf(v, n);
            Arrays.sort(s);
            return s;
        }
    }

    /** Throughput, latency, and the daemon's CPU time per operation (microseconds, 0 if unknown). */
    record Result(double opsPerSecond, double p50Ms, double p99Ms, double cpuMicrosPerOp) {
    }

    public static void main(String[] args) throws Exception {
        QUIET.setLevel(java.util.logging.Level.SEVERE);
        Map<String, String> opt = new LinkedHashMap<>(Map.of("ours", "auto", "containerd", "auto", "clients", "1,16",
                "seconds", "10", "rounds", "1", "mode", "both", "subscribers", "8", "publishers", "4"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        List<AutoCloseable> started = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        EpollEventLoopGroup group = new EpollEventLoopGroup(2);
        try {
            for (String which : List.of("ours", "containerd")) {
                String v = opt.get(which);
                if (v.equals("none")) {
                    continue;
                }
                if (v.equals("auto")) {
                    Daemons.Kind kind = which.equals("ours")
                            ? Daemons.jcontainerd(Path.of("dist/target/jcontainerd/bin/jcontainerd").toAbsolutePath())
                            : Daemons.containerd("containerd", false);
                    Path dir = Files.createTempDirectory("jcd-load-");
                    Path socket = dir.resolve("d.sock");
                    Process p = kind.start(dir, socket);
                    started.add(() -> {
                        Daemons.stop(p);
                        Daemons.deleteTree(dir);
                    });
                    waitServing(group, socket);
                    targets.add(new Target(kind.name(), socket, p.pid()));
                } else {
                    targets.add(new Target(which, Path.of(v), 0));
                }
            }
            int seconds = Integer.parseInt(opt.get("seconds"));
            int rounds = Integer.parseInt(opt.get("rounds"));
            String mode = opt.get("mode");
            Map<String, Map<String, List<Result>>> results = new LinkedHashMap<>();
            if (!mode.equals("events")) {
                for (String c : opt.get("clients").split(",")) {
                    int clients = Integer.parseInt(c.trim());
                    for (Target t : targets) {
                        crud(group, t, clients, 2, "warm" + clients); // warm-up, not recorded
                    }
                    for (int r = 0; r < rounds; r++) {
                        for (Target t : targets) {
                            Map<String, Result> res = crud(group, t, clients, seconds, "r" + r + "c" + clients);
                            res.forEach((op, x) -> results.computeIfAbsent(t.name() + " " + clients + " clients",
                                    k -> new LinkedHashMap<>()).computeIfAbsent(op, k -> new ArrayList<>()).add(x));
                        }
                    }
                }
                print(results, targets, opt.get("clients"));
            }
            if (!mode.equals("crud")) {
                int subs = Integer.parseInt(opt.get("subscribers"));
                int pubs = Integer.parseInt(opt.get("publishers"));
                for (Target t : targets) {
                    events(group, t, subs, pubs, 2); // warm-up
                }
                Map<String, double[]> ev = new LinkedHashMap<>();
                for (int r = 0; r < rounds; r++) {
                    for (Target t : targets) {
                        ev.put(t.name(), events(group, t, subs, pubs, seconds));
                    }
                }
                System.out.printf("%n| events: %d subscribers, %d publishers | publish ops/s | publish p50 ms | publish p99 ms | delivered events/s | lost |%n", subs, pubs);
                System.out.println("|---|---|---|---|---|---|");
                ev.forEach((name, x) -> System.out.printf(Locale.ROOT, "| %s | %.0f | %.2f | %.2f | %.0f | %.0f |%n",
                        name, x[0], x[1], x[2], x[3], x[4]));
                if (ev.size() == 2) {
                    double[] a = ev.get(targets.get(0).name());
                    double[] b = ev.get(targets.get(1).name());
                    System.out.printf(Locale.ROOT, "%s / %s: publish %.2fx, delivered %.2fx%n", targets.get(0).name(),
                            targets.get(1).name(), a[0] / b[0], a[3] / b[3]);
                }
            }
        } finally {
            for (AutoCloseable c : started) {
                c.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    static void print(Map<String, Map<String, List<Result>>> results, List<Target> targets, String clientList) {
        System.out.println();
        System.out.println("| target | op | ops/s | p50 ms | p99 ms | daemon CPU µs/op |");
        System.out.println("|---|---|---|---|---|---|");
        results.forEach((target, ops) -> ops.forEach((op, rs) -> System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %.0f |%n",
                target, op, median(rs.stream().map(Result::opsPerSecond).toList()),
                median(rs.stream().map(Result::p50Ms).toList()), median(rs.stream().map(Result::p99Ms).toList()),
                median(rs.stream().map(Result::cpuMicrosPerOp).toList()))));
        if (targets.size() == 2) {
            System.out.println();
            System.out.printf("| ops/s ratio %s / %s | clients | %s |%n", targets.get(0).name(), targets.get(1).name(), String.join(" | ", OPS));
            System.out.println("|---|---|---|---|---|---|---|");
            for (String c : clientList.split(",")) {
                Map<String, List<Result>> a = results.get(targets.get(0).name() + " " + c.trim() + " clients");
                Map<String, List<Result>> b = results.get(targets.get(1).name() + " " + c.trim() + " clients");
                StringBuilder row = new StringBuilder("| | " + c.trim());
                for (String op : OPS) {
                    row.append(String.format(Locale.ROOT, " | %.2fx", median(a.get(op).stream().map(Result::opsPerSecond).toList())
                            / median(b.get(op).stream().map(Result::opsPerSecond).toList())));
                }
                System.out.println(row.append(" |"));
            }
        }
    }

    static double median(List<Double> v) {
        return Daemons.median(v);
    }

    static ManagedChannel channel(EpollEventLoopGroup group, Path socket) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString())).eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class).usePlaintext().maxInboundMessageSize(16 << 20).build();
    }

    static ClientInterceptor namespace(String ns) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("containerd-namespace", Metadata.ASCII_STRING_MARSHALLER), ns);
        return MetadataUtils.newAttachHeadersInterceptor(md);
    }

    static void waitServing(EpollEventLoopGroup group, Path socket) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(socket)) {
                ManagedChannel ch = channel(group, socket);
                try {
                    ContainersGrpc.newBlockingStub(ch).withInterceptors(namespace("probe"))
                            .list(ListContainersRequest.getDefaultInstance());
                    return;
                } catch (RuntimeException notYet) {
                    // retry
                } finally {
                    ch.shutdownNow();
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("nothing serves on " + socket);
    }

    static final ByteString SPEC = ByteString.copyFromUtf8("{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
            + "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"]},\"root\":{\"path\":\"rootfs\"},"
            + "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"network\"}]}}"
            + " ".repeat(600));

    static Container container(String id, int group) {
        return Container.newBuilder().setId(id).putLabels("bench", "1").putLabels("group", "g" + group)
                .setRuntime(Container.Runtime.newBuilder().setName("io.containerd.runc.v2"))
                .setSpec(Any.newBuilder().setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/Spec").setValue(SPEC))
                .build();
    }

    /**
     * One CRUD run: {@code clients} threads, each in its own namespace pre-filled with 50 containers,
     * go through five phases of {@code seconds} each — creating containers, getting them, updating a
     * label, listing with a filter, deleting them — so that each op's throughput is its own.
     */
    static Map<String, Result> crud(EpollEventLoopGroup group, Target t, int clients, int seconds, String tag) throws Exception {
        List<ManagedChannel> channels = new ArrayList<>();
        List<ContainersGrpc.ContainersBlockingStub> stubs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            ManagedChannel ch = channel(group, t.socket());
            channels.add(ch);
            stubs.add(ContainersGrpc.newBlockingStub(ch).withInterceptors(namespace("bench-" + tag + "-" + i)));
        }
        int[] created = new int[clients];
        runPhase(stubs, 0, (stub, i, seq) -> {
            if (seq < 50) {
                stub.create(CreateContainerRequest.newBuilder().setContainer(container("fill" + seq, seq % 10)).build());
                return seq < 49;
            }
            return false;
        }, null);
        Map<String, Result> out = new LinkedHashMap<>();
        // a fixed number per client, so that both daemons then hold namespaces of the same size
        out.put("create", runPhase(stubs, 0, (stub, i, seq) -> {
            stub.create(CreateContainerRequest.newBuilder().setContainer(container("c" + seq, seq % 10)).build());
            created[i] = seq + 1;
            return seq + 1 < PER_CLIENT;
        }, t));
        int getSeconds = Integer.getInteger("bench.getSeconds", seconds);
        out.put("get", runPhase(stubs, getSeconds, (stub, i, seq) -> {
            stub.get(GetContainerRequest.newBuilder().setId("c" + (seq % created[i])).build());
            return true;
        }, t));
        out.put("update", runPhase(stubs, seconds, (stub, i, seq) -> {
            stub.update(UpdateContainerRequest.newBuilder()
                    .setContainer(Container.newBuilder().setId("c" + (seq % created[i])).putLabels("step", "" + seq))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels.step")).build());
            return true;
        }, t));
        out.put("list", runPhase(stubs, seconds, (stub, i, seq) -> {
            stub.list(ListContainersRequest.newBuilder().addFilters("labels.group==g" + (seq % 10) + ",labels.bench==1").build());
            return true;
        }, t));
        out.put("delete", runPhase(stubs, 0, (stub, i, seq) -> {
            if (seq >= created[i]) {
                return false;
            }
            stub.delete(DeleteContainerRequest.newBuilder().setId("c" + seq).build());
            return true;
        }, t));
        channels.forEach(ManagedChannel::shutdownNow);
        if (!tag.startsWith("warm")) {
            System.out.printf(Locale.ROOT, "%s, %d clients: %s%n", t.name(), clients, out.entrySet().stream()
                    .map(e -> String.format(Locale.ROOT, "%s %.0f/s", e.getKey(), e.getValue().opsPerSecond())).toList());
        }
        return out;
    }

    /** Containers each client creates (besides its 50 pre-filled ones). */
    static final int PER_CLIENT = Integer.getInteger("bench.perClient", 200);

    /** One step of a client's loop; false ends that client's phase early. */
    interface Step {
        boolean run(ContainersGrpc.ContainersBlockingStub stub, int client, int seq);
    }

    /** Runs {@code step} on every client until {@code seconds} pass (0: until every client stops). */
    static Result runPhase(List<ContainersGrpc.ContainersBlockingStub> stubs, int seconds, Step step, Target t)
            throws InterruptedException {
        Series lat = new Series();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long cpu0 = t == null ? 0 : t.cpuMillis();
        long start = System.nanoTime();
        for (int i = 0; i < stubs.size(); i++) {
            int client = i;
            Thread th = new Thread(() -> {
                for (int seq = 0; !stop.get(); seq++) {
                    long t0 = System.nanoTime();
                    boolean more;
                    try {
                        more = step.run(stubs.get(client), client, seq);
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                        more = true;
                    }
                    lat.add(System.nanoTime() - t0);
                    if (!more) {
                        return;
                    }
                }
            }, "client-" + i);
            threads.add(th);
            th.start();
        }
        if (seconds > 0) {
            Thread.sleep(seconds * 1000L);
            stop.set(true);
        }
        for (Thread th : threads) {
            th.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpuMillis = t == null ? 0 : t.cpuMillis() - cpu0;
        if (errors.get() > 0 && t != null) {
            System.out.println("warning: " + errors.get() + " failed calls on " + t.name());
        }
        long[] v = lat.sorted();
        return new Result(v.length / elapsed, v.length == 0 ? 0 : v[v.length / 2] / 1e6,
                v.length == 0 ? 0 : v[(int) Math.min(v.length - 1, Math.floor(v.length * 0.99))] / 1e6,
                v.length == 0 ? 0 : cpuMillis * 1000 / v.length);
    }

    /** One events run: {publish ops/s, p50 ms, p99 ms, delivered/s, events lost}. */
    static double[] events(EpollEventLoopGroup group, Target t, int subscribers, int publishers, int seconds) throws Exception {
        ManagedChannel subCh = channel(group, t.socket());
        List<AtomicLong> counts = new ArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(subscribers);
        String topic = "/bench/e" + System.nanoTime();
        for (int s = 0; s < subscribers; s++) {
            AtomicLong c = new AtomicLong();
            counts.add(c);
            EventsGrpc.newStub(subCh).subscribe(SubscribeRequest.newBuilder().addFilters("topic==\"" + topic + "\"").build(),
                    new StreamObserver<Envelope>() {
                        @Override
                        public void onNext(Envelope e) {
                            if (c.getAndIncrement() == 0) {
                                subscribed.countDown();
                            }
                        }

                        @Override
                        public void onError(Throwable x) {
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
        }
        ManagedChannel pubCh = channel(group, t.socket());
        EventsGrpc.EventsBlockingStub pub = EventsGrpc.newBlockingStub(pubCh).withInterceptors(namespace("bench"));
        Any payload = Any.newBuilder().setTypeUrl("containerd.events.ContainerDelete")
                .setValue(ContainerDelete.newBuilder().setId("c1").build().toByteString()).build();
        while (subscribed.getCount() > 0) {
            pub.publish(PublishRequest.newBuilder().setTopic(topic).setEvent(payload).build());
            subscribed.await(50, TimeUnit.MILLISECONDS);
        }
        Thread.sleep(200);
        long before = counts.stream().mapToLong(AtomicLong::get).sum();
        Series lat = new Series();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong published = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    pub.publish(PublishRequest.newBuilder().setTopic(topic).setEvent(payload).build());
                    lat.add(System.nanoTime() - t0);
                    published.incrementAndGet();
                }
            });
            threads.add(th);
            th.start();
        }
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread th : threads) {
            th.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long expected = published.get() * subscribers;
        long deadline = System.currentTimeMillis() + 30_000;
        while (counts.stream().mapToLong(AtomicLong::get).sum() - before < expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        double drainElapsed = (System.nanoTime() - start) / 1e9;
        long delivered = counts.stream().mapToLong(AtomicLong::get).sum() - before;
        subCh.shutdownNow();
        pubCh.shutdownNow();
        long[] v = lat.sorted();
        System.out.printf(Locale.ROOT, "%s events: published %d, delivered %d of %d%n", t.name(), published.get(), delivered, expected);
        return new double[] {published.get() / elapsed, v[v.length / 2] / 1e6, v[(int) (v.length * 0.99)] / 1e6,
            delivered / drainElapsed, expected - delivered};
    }

    private LoadBench() {
    }
}
