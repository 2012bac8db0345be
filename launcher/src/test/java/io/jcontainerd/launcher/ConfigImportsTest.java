package io.jcontainerd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** containerd's {@code imports}: files merged on top of the main one, by its rules. */
class ConfigImportsTest {
    @TempDir
    Path dir;

    private DaemonConfig load(Path main) throws IOException {
        return DaemonConfig.load(Options.parse(new String[] {"--config", main.toString()}));
    }

    private Path write(String name, String toml) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, toml);
        return p;
    }

    @Test
    void importsMergeOnTopByContainerdsRules() throws IOException {
        Path main = write("config.toml", """
                version = 2
                root = "/var/lib/a"
                state = "/run/a"
                imports = ["conf.d/10-grpc.toml", "%s/conf.d/2*.toml"]
                disabled_plugins = ["io.containerd.grpc.v1.version"]
                oom_score = -10
                [grpc]
                  address = "/run/a/a.sock"
                  uid = 5
                [plugins."io.containerd.gc.v1.scheduler"]
                  pause_threshold = 0.5
                  deletion_threshold = 7
                """.formatted(dir));
        write("conf.d/10-grpc.toml", """
                version = 2
                root = ""
                [grpc]
                  address = "/run/b/b.sock"
                """);
        write("conf.d/20-plugins.toml", """
                disabled_plugins = ["io.containerd.grpc.v1.healthcheck"]
                required_plugins = ["io.containerd.grpc.v1.tasks"]
                imports = ["../config.toml"]
                [plugins."io.containerd.gc.v1.scheduler"]
                  schedule_delay = "5s"
                """);
        write("conf.d/30-other.toml", "oom_score = 200\n");
        write("conf.d/25-timeouts.toml", "[timeouts]\n  \"io.containerd.timeout.shim.load\" = \"9s\"\n");
        DaemonConfig c = load(main);
        assertEquals(Path.of("/var/lib/a"), c.root(), "an empty value does not replace a set one");
        assertEquals("/run/b/b.sock", c.grpcAddress());
        assertEquals(5, c.grpcUid(), "tables merge key by key");
        assertEquals(List.of("io.containerd.grpc.v1.version", "io.containerd.grpc.v1.healthcheck"), c.disabledPlugins(),
                "lists append, and the main file imported again is not read twice");
        assertEquals(List.of("io.containerd.grpc.v1.tasks"), c.requiredPlugins());
        assertEquals(-10, c.oomScore(), "30-other.toml does not match 2*.toml");
        assertEquals(java.util.Map.of("io.containerd.timeout.shim.load", "9s"), c.timeouts());
        assertEquals("{\"schedule_delay\":\"5s\"}", c.plugins().get("io.containerd.gc.v1.scheduler").toString(),
                "a plugin's table is replaced whole");
    }

    @Test
    void aMissingImportIsAnError() throws IOException {
        Path main = write("config.toml", "version = 2\nimports = [\"nope.toml\"]\n");
        IOException e = assertThrows(IOException.class, () -> load(main));
        assertTrue(e.getMessage().contains(dir.resolve("nope.toml").toString()), e.getMessage());
    }

    @Test
    void aTimeoutThatIsNotAGoDurationIsRefusedAsContainerdRefusesIt() throws IOException {
        Path main = write("config.toml", "version = 2\n[timeouts]\n  \"io.containerd.timeout.shim.load\" = \"5\"\n");
        assertEquals("unable to parse 5 into a time duration", assertThrows(IOException.class, () -> load(main)).getMessage());
        Files.writeString(main, "version = 2\n[timeouts]\n  \"io.containerd.timeout.shim.load\" = \"1m30.5s\"\n");
        assertEquals("1m30.5s", load(main).timeouts().get("io.containerd.timeout.shim.load"));
    }
}
