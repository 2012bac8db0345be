package io.jcontainerd.bench;

import com.google.protobuf.Empty;
import containerd.services.version.v1.VersionGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Daemon start to first answered RPC, CPU spent until then, and idle RSS, for jcontainerd and the
 * real containerd started the same way (private directories, default configuration), interleaved
 * round by round. The client polls with a fresh connection and a Version call every 2 ms; it is
 * warmed up first so that its own start-up is not counted.
 *
 * <pre>
 * java ... io.jcontainerd.bench.StartupBench [--rounds N] [--jcontainerd BIN] [--containerd BIN]
 * </pre>
 */
public final class StartupBench {
    /** Unix sockets do not take SO_KEEPALIVE, which grpc-netty reports on every connection (held: JUL keeps loggers weakly). */
    static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap");

    record Sample(double firstRpcMs, double cpuMs, double rssMib, double stopMs) {
    }

    public static void main(String[] args) throws Exception {
        QUIET.setLevel(java.util.logging.Level.SEVERE);
        int rounds = 7;
        Path jcd = Path.of("dist/target/jcontainerd/bin/jcontainerd");
        String containerd = "containerd";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--jcontainerd" -> jcd = Path.of(args[++i]);
                case "--containerd" -> containerd = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        List<Daemons.Kind> kinds = List.of(Daemons.jcontainerd(jcd.toAbsolutePath()),
                Daemons.containerd(containerd, true), Daemons.containerd(containerd, false));
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        try {
            warmUp(group, kinds.get(1));
            Map<String, List<Sample>> samples = new LinkedHashMap<>();
            for (int r = 1; r <= rounds; r++) {
                for (Daemons.Kind k : kinds) {
                    Sample s = once(group, k);
                    samples.computeIfAbsent(k.name(), x -> new ArrayList<>()).add(s);
                    System.out.printf("round %d %-17s first RPC %7.1f ms  cpu %6.0f ms  rss %6.1f MiB  stop %6.1f ms%n",
                            r, k.name(), s.firstRpcMs(), s.cpuMs(), s.rssMib(), s.stopMs());
                }
            }
            System.out.println();
            System.out.println("| daemon | first RPC median (min-max) | CPU to first RPC | idle RSS | stop |");
            System.out.println("|---|---|---|---|---|");
            for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
                List<Sample> l = e.getValue();
                List<Double> first = l.stream().map(Sample::firstRpcMs).toList();
                System.out.printf("| %s | %.0f ms (%.0f-%.0f) | %.0f ms | %.1f MiB | %.0f ms |%n", e.getKey(),
                        Daemons.median(first), first.stream().min(Double::compare).orElse(0.0),
                        first.stream().max(Double::compare).orElse(0.0),
                        Daemons.median(l.stream().map(Sample::cpuMs).toList()),
                        Daemons.median(l.stream().map(Sample::rssMib).toList()),
                        Daemons.median(l.stream().map(Sample::stopMs).toList()));
            }
            double ours = Daemons.median(samples.get("jcontainerd").stream().map(Sample::firstRpcMs).toList());
            for (String ref : List.of("containerd", "containerd-nocri")) {
                double theirs = Daemons.median(samples.get(ref).stream().map(Sample::firstRpcMs).toList());
                double oursRss = Daemons.median(samples.get("jcontainerd").stream().map(Sample::rssMib).toList());
                double theirsRss = Daemons.median(samples.get(ref).stream().map(Sample::rssMib).toList());
                System.out.printf("jcontainerd / %s: start %.2fx, RSS %.2fx%n", ref, ours / theirs, oursRss / theirsRss);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private static void warmUp(EpollEventLoopGroup group, Daemons.Kind kind) throws Exception {
        for (int i = 0; i < 2; i++) {
            once(group, kind);
        }
    }

    static Sample once(EpollEventLoopGroup group, Daemons.Kind kind) throws Exception {
        Path dir = Files.createTempDirectory("jcd-bench-");
        Path socket = dir.resolve("d.sock");
        try {
            long t0 = System.nanoTime();
            Process p = kind.start(dir, socket);
            long firstRpc;
            while (true) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(kind.name() + " exited: " + Files.readString(dir.resolve("daemon.log")));
                }
                if (Files.exists(socket) && versionAnswers(group, socket)) {
                    firstRpc = System.nanoTime();
                    break;
                }
                if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(60)) {
                    throw new IllegalStateException(kind.name() + " did not answer within 60 s");
                }
                Thread.sleep(2);
            }
            long cpu = Daemons.cpuMillis(p.pid());
            Thread.sleep(2000);
            long rss = Daemons.rssKib(p.pid());
            long s0 = System.nanoTime();
            Daemons.stop(p);
            long stopped = System.nanoTime();
            return new Sample((firstRpc - t0) / 1e6, cpu, rss / 1024.0, (stopped - s0) / 1e6);
        } finally {
            Daemons.deleteTree(dir);
        }
    }

    private static boolean versionAnswers(EpollEventLoopGroup group, Path socket) {
        ManagedChannel ch = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class).usePlaintext().build();
        try {
            VersionGrpc.newBlockingStub(ch).withDeadlineAfter(1, TimeUnit.SECONDS).version(Empty.getDefaultInstance());
            return true;
        } catch (RuntimeException notYet) {
            return false;
        } finally {
            ch.shutdownNow();
        }
    }

    private StartupBench() {
    }
}
