package io.jcontainerd.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built jcontainerd distribution run as a daemon in a private directory: its own config.toml,
 * root, state and socket. Stopping is by the pid this started; closing removes the directory.
 */
final class Daemon implements AutoCloseable {
    static final Path DIST = Path.of(System.getProperty("jcontainerd.dist", "../dist/target/jcontainerd"))
            .toAbsolutePath().normalize();

    final Path dir;
    final Path root;
    final Path state;
    final Path socket;
    final Path config;
    final Path log;
    private final List<String> extraEnv = new ArrayList<>();
    private int niceness;
    private Path distribution = DIST;
    private Process process;

    private Daemon(Path dir, String extraToml) throws IOException {
        this.dir = dir;
        this.root = dir.resolve("root");
        this.state = dir.resolve("state");
        this.socket = dir.resolve("run").resolve("jcontainerd.sock");
        this.config = dir.resolve("config.toml");
        this.log = dir.resolve("daemon.log");
        Files.writeString(config, "version = 2\n"
                + "root = \"" + root + "\"\n"
                + "state = \"" + state + "\"\n"
                + extraToml + "\n"
                + "[grpc]\n  address = \"" + socket + "\"\n");
    }

    /** A daemon in a fresh directory; {@code extraToml} goes at the top level of its config.toml. */
    static Daemon create(String extraToml) throws IOException {
        return new Daemon(Processes.traversableTempDirectory("jcd-itest-"), extraToml);
    }

    /** Adds {@code NAME=value} to the daemon's environment for the next start. */
    Daemon env(String nameValue) {
        extraEnv.add(nameValue);
        return this;
    }

    /**
     * Runs the daemon from a copy of the built distribution in its own directory whose
     * {@code lib/<file>} is {@code content} instead of the build's; every other file is a link to the
     * build's.
     */
    Daemon distributionWith(String file, String content) throws IOException {
        Path home = Files.createDirectories(dir.resolve("dist"));
        linkAllBut(DIST, home, "lib");
        Path lib = Files.createDirectories(home.resolve("lib"));
        linkAllBut(DIST.resolve("lib"), lib, file);
        Files.writeString(lib.resolve(file), content);
        distribution = home;
        return this;
    }

    /** Links every entry of directory {@code from} but {@code except} into directory {@code to}. */
    private static void linkAllBut(Path from, Path to, String except) throws IOException {
        try (var entries = Files.list(from)) {
            for (Path e : entries.toList()) {
                if (!e.getFileName().toString().equals(except)) {
                    Files.createSymbolicLink(to.resolve(e.getFileName()), e);
                }
            }
        }
    }

    /** Starts the daemon at nice {@code n} ({@code nice -n}, which execs it: the pid is the daemon's). */
    Daemon nice(int n) {
        niceness = n;
        return this;
    }

    /** Starts the daemon and waits until it serves on its socket. */
    Daemon start() throws IOException, InterruptedException {
        process = launch();
        if (!Processes.awaitLive(socket, process, 30_000)) {
            String why = process.isAlive() ? "did not serve within 30s" : "exited with " + process.exitValue();
            if (process.isAlive()) {
                process.destroyForcibly().waitFor();
            }
            String log = logText();
            // the caller never gets a daemon to close: leave nothing behind
            Processes.deleteTree(dir);
            throw new AssertionError("jcontainerd " + why + "\n" + log);
        }
        return this;
    }

    /** Starts another process on the same configuration without waiting for it to serve. */
    Process launch() throws IOException {
        List<String> command = new ArrayList<>();
        if (niceness != 0) {
            command.addAll(List.of("nice", "-n", Integer.toString(niceness)));
        }
        command.addAll(List.of(distribution.resolve("bin/jcontainerd").toString(), "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        for (String e : extraEnv) {
            int eq = e.indexOf('=');
            pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
        }
        return pb.start();
    }

    Process process() {
        return process;
    }

    /** SIGKILL, as a crash or power cut would end it. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait; answers the exit code. */
    int terminate() throws InterruptedException {
        return Processes.terminate(process, 30);
    }

    Processes.Result ctr(String... args) throws IOException, InterruptedException {
        return Processes.ctr(socket, args);
    }

    /**
     * Writes the busybox image {@code image} into this daemon's directory and imports it into
     * {@code namespace} with {@code ctr images import [importOptions] <tar>}; fails the test if ctr does.
     */
    void importBusybox(String namespace, String image, String... importOptions) throws Exception {
        Path tar = TestImages.writeBusybox(image, dir.resolve("busybox.tar"));
        List<String> args = new ArrayList<>(List.of("-n", namespace, "images", "import"));
        args.addAll(List.of(importOptions));
        args.add(tar.toString());
        Processes.Result r = ctr(args.toArray(String[]::new));
        if (r.rc() != 0) {
            throw new AssertionError("import of " + image + " failed: " + r);
        }
    }

    /** Kills and deletes every task of {@code namespace}, then removes its containers, so that no shim outlives a test. */
    void removeTasksAndContainers(String namespace) throws IOException, InterruptedException {
        for (String id : ctr("-n", namespace, "tasks", "ls", "-q").out().lines().toList()) {
            ctr("-n", namespace, "tasks", "kill", "-s", "9", id);
            ctr("-n", namespace, "tasks", "delete", "-f", id);
        }
        for (String id : ctr("-n", namespace, "containers", "ls", "-q").out().lines().toList()) {
            ctr("-n", namespace, "containers", "rm", id);
        }
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            Processes.terminate(process, 30);
        }
        Processes.deleteTree(dir);
    }
}
