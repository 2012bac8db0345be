package io.jcontainerd.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PluginRegistryTest {
    @Test
    void aBundleDeclaresOneComponentPerDescriptorItNames() {
        assertEquals(0, PluginRegistry.declaredComponents(null));
        assertEquals(0, PluginRegistry.declaredComponents(" "));
        assertEquals(1, PluginRegistry.declaredComponents("OSGI-INF/io.containerd.grpc.v1.version.xml"));
        assertEquals(2, PluginRegistry.declaredComponents(
                "OSGI-INF/io.jcontainerd.version.buildinfo.xml,OSGI-INF/io.containerd.grpc.v1.version.xml"));
        assertEquals(1, PluginRegistry.declaredComponents("OSGI-INF/*.xml"));
    }
}
