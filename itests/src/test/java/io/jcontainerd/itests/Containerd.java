package io.jcontainerd.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real containerd (Debian's 1.6.20) run beside ours as the reference for behaviour: private
 * config, root, state and sockets in a temp directory, CRI disabled. Stopped by its pid on close.
 */
final class Containerd implements AutoCloseable {
    final Path dir;
    final Path socket;
    private final Process process;

    private Containerd(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        this.socket = dir.resolve("containerd.sock");
        Path config = dir.resolve("config.toml");
        Files.writeString(config, "version = 2\n"
                + "root = \"" + dir.resolve("root") + "\"\n"
                + "state = \"" + dir.resolve("state") + "\"\n"
                + "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
                + "[grpc]\n  address = \"" + socket + "\"\n"
                + "[ttrpc]\n  address = \"" + socket + ".ttrpc\"\n"
                + "[debug]\n  address = \"" + dir.resolve("debug.sock") + "\"\n");
        process = new ProcessBuilder("containerd", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("containerd.log").toFile())
                .start();
        if (!Processes.awaitLive(socket, process, 30_000)) {
            close();
            throw new AssertionError("reference containerd did not start; is the containerd package installed?");
        }
    }

    static Containerd start() throws IOException, InterruptedException {
        return new Containerd(Processes.traversableTempDirectory("jcd-ref-"));
    }

    Processes.Result ctr(String... args) throws IOException, InterruptedException {
        return Processes.ctr(socket, args);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Processes.terminate(process, 30);
        Processes.deleteTree(dir);
    }
}
