package io.jcontainerd.introspection.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcontainerd.introspection.PluginInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.framework.dto.BundleDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

class ComponentPluginsOrderTest {
    private static ComponentDescriptionDTO component(long bundleId, String symbolicName, String name) {
        BundleDTO b = new BundleDTO();
        b.id = bundleId;
        b.symbolicName = symbolicName;
        ComponentDescriptionDTO d = new ComponentDescriptionDTO();
        d.bundle = b;
        d.name = name;
        return d;
    }

    private static List<String> sorted(List<ComponentDescriptionDTO> components, Map<String, Integer> levels) {
        List<ComponentDescriptionDTO> copy = new ArrayList<>(components);
        copy.sort(ComponentPlugins.registrationOrder(d -> levels.get(d.bundle.symbolicName)));
        return copy.stream().map(d -> d.name).toList();
    }

    @Test
    void registrationOrderIsByStartLevelThenInstallOrder() {
        Map<String, Integer> levels = Map.of("io.jcontainerd.metadata", 3, "io.jcontainerd.events.exchange", 3,
                "io.jcontainerd.server", 2, "hot.deployed", 1);
        List<ComponentDescriptionDTO> components = List.of(
                component(40, "hot.deployed", "hot"),
                component(31, "io.jcontainerd.events.exchange", "exchange"),
                component(30, "io.jcontainerd.metadata", "bolt"),
                component(29, "io.jcontainerd.server", "server"));
        assertEquals(List.of("hot", "server", "bolt", "exchange"), sorted(components, levels));
    }

    @Test
    void componentsOfOneBundleAreOrderedByName() {
        Map<String, Integer> levels = Map.of("b", 3);
        assertEquals(List.of("a", "b", "c"), sorted(List.of(component(5, "b", "c"), component(5, "b", "a"),
                component(5, "b", "b")), levels));
    }

    private static PluginInfo plugin(String type, String id, String... requires) {
        return new PluginInfo(type, id, List.of(requires), List.of(), Map.of(), List.of(), null);
    }

    @Test
    void requirementsComeFirstAndOtherwiseTheGivenOrderIsKept() {
        List<PluginInfo> ordered = ComponentPlugins.dependenciesFirst(List.of(
                plugin("io.containerd.grpc.v1", "tasks", "io.containerd.service.v1"),
                plugin("io.containerd.service.v1", "tasks-service", "io.containerd.runtime.v2",
                        "io.containerd.service.v1"),
                plugin("io.containerd.event.v1", "exchange"),
                plugin("io.containerd.runtime.v2", "task", "io.containerd.event.v1", "io.containerd.metadata.v1"),
                plugin("io.containerd.metadata.v1", "bolt"),
                plugin("io.containerd.service.v1", "containers-service", "io.containerd.metadata.v1")));
        assertEquals(List.of("exchange", "bolt", "task", "tasks-service", "containers-service", "tasks"),
                ordered.stream().map(PluginInfo::id).toList());
    }

    @Test
    void aCycleIsBrokenAtItsFirstMemberAndWhatWaitsOnItComesAfter() {
        List<PluginInfo> ordered = ComponentPlugins.dependenciesFirst(List.of(
                plugin("io.containerd.grpc.v1", "containers", "io.containerd.service.v1"),
                plugin("io.containerd.service.v1", "content-service", "io.containerd.metadata.v1"),
                plugin("io.containerd.grpc.v1", "diff", "io.containerd.service.v1"),
                plugin("io.containerd.service.v1", "diff-service", "io.containerd.differ.v1"),
                plugin("io.containerd.differ.v1", "walking", "io.containerd.service.v1"),
                plugin("io.containerd.metadata.v1", "bolt")));
        assertEquals(List.of("bolt", "content-service", "diff-service", "containers", "diff", "walking"),
                ordered.stream().map(PluginInfo::id).toList());
    }
}
