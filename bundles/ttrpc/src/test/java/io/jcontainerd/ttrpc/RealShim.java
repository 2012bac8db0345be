package io.jcontainerd.ttrpc;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real {@code containerd-shim-runc-v2}, started as containerd 1.6 starts it: {@code start} in the
 * bundle directory (config.json there, a {@code log} fifo read by us), {@code TTRPC_ADDRESS} in its
 * environment, its socket address read from stdout. The bundle's rootfs is an empty directory with
 * the host's /usr bound read-only, enough for /bin/sh and sleep.
 */
final class RealShim implements AutoCloseable {
    static final String BINARY = "/usr/bin/containerd-shim-runc-v2";

    final String namespace = "jcd-ttrpc-test";
    final String id = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final Path dir;
    final Path bundle;
    final Path runcRoot;
    final Path ttrpcAddress;
    final Path socket;
    private final Thread logReader;
    private final StringBuffer log = new StringBuffer();

    RealShim(Path ttrpcAddress, String... args) throws IOException, InterruptedException {
        this.ttrpcAddress = ttrpcAddress;
        this.dir = Files.createTempDirectory(Path.of("/tmp"), "jcd-shim");
        this.bundle = Files.createDirectories(dir.resolve("bundle"));
        this.runcRoot = Files.createDirectories(dir.resolve("runc"));
        Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
        for (String d : List.of("usr", "proc", "dev", "tmp")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        for (String l : List.of("bin", "lib", "lib64", "sbin")) {
            Files.createSymbolicLink(rootfs.resolve(l), Path.of("usr/" + l));
        }
        Files.writeString(bundle.resolve("config.json"), spec(args));
        run(List.of("mkfifo", "-m", "0700", bundle.resolve("log").toString()));
        logReader = new Thread(this::readLog, "shim-log-" + id);
        logReader.setDaemon(true);
        logReader.start();

        ProcessBuilder pb = new ProcessBuilder(BINARY, "-namespace", namespace, "-id", id, "-address",
                dir.resolve("containerd.sock").toString(), "start")
                .directory(bundle.toFile())
                .redirectError(dir.resolve("start.err").toFile());
        pb.environment().put("TTRPC_ADDRESS", ttrpcAddress.toString());
        Process start = pb.start();
        start.getOutputStream().close(); // no runtime options on stdin
        String address = new String(start.getInputStream().readAllBytes(), UTF_8);
        if (!start.waitFor(30, TimeUnit.SECONDS) || start.exitValue() != 0 || !address.startsWith("unix://")) {
            throw new IOException("shim start failed (" + address + "): " + Files.readString(dir.resolve("start.err")));
        }
        this.socket = Path.of(address.substring("unix://".length()));
    }

    private static String spec(String... args) {
        StringBuilder a = new StringBuilder();
        for (String s : args) {
            a.append(a.length() == 0 ? "" : ",").append('"').append(s.replace("\"", "\\\"")).append('"');
        }
        return """
                {"ociVersion":"1.0.2-dev",
                 "process":{"terminal":false,"user":{"uid":0,"gid":0},"args":[%s],
                   "env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"cwd":"/","noNewPrivileges":true},
                 "root":{"path":"rootfs","readonly":true},
                 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
                   {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
                   {"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev"]},
                   {"destination":"/usr","type":"bind","source":"/usr","options":["rbind","ro"]}],
                 "linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}]}}
                """.formatted(a);
    }

    private void readLog() {
        try (RandomAccessFile f = new RandomAccessFile(bundle.resolve("log").toFile(), "rw");
                FileChannel ch = f.getChannel()) {
            ByteBuffer b = ByteBuffer.allocate(8192);
            while (ch.read(b) >= 0) {
                log.append(new String(b.array(), 0, b.position(), UTF_8));
                b.clear();
            }
        } catch (IOException e) {
            // closed when the test ends
        }
    }

    String log() {
        return log.toString();
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(cmd + " failed: " + out);
        }
    }

    /** A test that failed half way leaves its shim serving: ask it its pid and kill it. */
    private void stopIfRunning() {
        if (!Files.exists(socket)) {
            return;
        }
        try (TtrpcClient c = TtrpcClient.connect(socket)) {
            long pid = c.call("containerd.task.v2.Task", "Connect",
                    containerd.task.v2.ConnectRequest.newBuilder().setId(id).build(),
                    containerd.task.v2.ConnectResponse.parser(), CallOptions.timeout(java.time.Duration.ofSeconds(5)))
                    .getShimPid();
            kill(pid);
        } catch (IOException | TtrpcException e) {
            // not serving any more
        }
    }

    /** As containerd cleans up after a shim: {@code <shim> ... -bundle <dir> delete}, then the files. */
    @Override
    public void close() throws IOException, InterruptedException {
        stopIfRunning();
        Process p = new ProcessBuilder(BINARY, "-namespace", namespace, "-id", id, "-address",
                dir.resolve("containerd.sock").toString(), "-bundle", bundle.toString(), "delete")
                .directory(bundle.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("delete.out").toFile())
                .start();
        p.getOutputStream().close();
        p.waitFor(30, TimeUnit.SECONDS);
        logReader.interrupt();
        logReader.join(5_000);
        Files.deleteIfExists(socket);
        // with no cgroupsPath in the spec runc uses /<id> in every hierarchy; a task that did not end
        // through runc (its shim killed) leaves it
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.filter(h -> !Files.isSymbolicLink(h)).toList()) {
                Path cgroup = h.resolve(id);
                if (Files.isDirectory(cgroup)) {
                    Files.delete(cgroup); // rmdir
                }
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
