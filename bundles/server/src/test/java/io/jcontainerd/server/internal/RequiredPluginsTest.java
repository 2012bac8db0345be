package io.jcontainerd.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jcontainerd.introspection.PluginInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequiredPluginsTest {
    private static PluginInfo plugin(String type, String id, String error) {
        return new PluginInfo(type, id, List.of(), List.of(), Map.of(), List.of(),
                error == null ? null : new PluginInfo.InitError(5, error));
    }

    private static final List<PluginInfo> PLUGINS = List.of(
            plugin("io.containerd.metadata.v1", "bolt", null),
            plugin("io.containerd.service.v1", "containers-service", "no plugins registered for io.containerd.metadata.v1: not found"),
            plugin("io.containerd.grpc.v1", "tasks", null));

    @Test
    void loadedPluginsPass() {
        assertNull(RequiredPlugins.problem(List.of(), PLUGINS));
        assertNull(RequiredPlugins.problem(List.of("io.containerd.grpc.v1.tasks", "io.containerd.metadata.v1.bolt"), PLUGINS));
    }

    @Test
    void theFirstThatFailedIsTheReasonBeforeAnyMissingOne() {
        assertEquals("load required plugin io.containerd.service.v1.containers-service: "
                + "no plugins registered for io.containerd.metadata.v1: not found",
                RequiredPlugins.problem(List.of("io.containerd.nope.v1.x", "io.containerd.service.v1.containers-service"), PLUGINS));
    }

    @Test
    void missingOnesAreListedAsContainerdPrintsAGoSlice() {
        assertEquals("required plugin [io.containerd.grpc.v1.cri io.containerd.nope.v1.x] not included",
                RequiredPlugins.problem(List.of("io.containerd.grpc.v1.cri", "io.containerd.grpc.v1.tasks", "io.containerd.nope.v1.x"), PLUGINS));
    }
}
