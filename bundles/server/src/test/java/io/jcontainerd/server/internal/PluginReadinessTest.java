package io.jcontainerd.server.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.SatisfiedReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

class PluginReadinessTest {
    static PluginReadiness.State plugin(String name, String type, String provides, int state, String needs) {
        ComponentDescriptionDTO d = new ComponentDescriptionDTO();
        d.name = name;
        d.immediate = true;
        d.properties = Map.of("plugin.type", type, "plugin.id", name);
        d.serviceInterfaces = provides == null ? new String[0] : new String[] {provides};
        d.references = new ReferenceDTO[0];
        ComponentConfigurationDTO c = new ComponentConfigurationDTO();
        c.state = state;
        c.satisfiedReferences = new SatisfiedReferenceDTO[0];
        c.unsatisfiedReferences = new UnsatisfiedReferenceDTO[0];
        if (needs != null) {
            ReferenceDTO r = new ReferenceDTO();
            r.name = "dep";
            r.interfaceName = needs;
            r.target = null;
            d.references = new ReferenceDTO[] {r};
            if (state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                UnsatisfiedReferenceDTO u = new UnsatisfiedReferenceDTO();
                u.name = "dep";
                c.unsatisfiedReferences = new UnsatisfiedReferenceDTO[] {u};
            }
        }
        return new PluginReadiness.State(d, c);
    }

    static boolean settled(PluginReadiness.State... plugins) {
        return new PluginReadiness(List.of(plugins), (target, props) -> true).settled();
    }

    @Test
    void activePluginsAreSettled() {
        assertTrue(settled(plugin("a", "t", "A", ComponentConfigurationDTO.ACTIVE, null)));
    }

    @Test
    void anImmediatePluginAboutToActivateIsNot() {
        assertFalse(settled(plugin("a", "t", "A", ComponentConfigurationDTO.SATISFIED, null)));
    }

    @Test
    void aDependentWhoseProviderIsComingUpIsNot() {
        assertFalse(settled(
                plugin("meta", "m", "Meta", ComponentConfigurationDTO.SATISFIED, null),
                plugin("svc", "s", "Svc", ComponentConfigurationDTO.UNSATISFIED_REFERENCE, "Meta")));
        assertFalse(settled(
                plugin("meta", "m", "Meta", ComponentConfigurationDTO.ACTIVE, null),
                plugin("svc", "s", "Svc", ComponentConfigurationDTO.UNSATISFIED_REFERENCE, "Meta")));
    }

    @Test
    void dependentsOfAMissingOrFailedPluginAreSettledAsUnsatisfied() {
        assertTrue(settled(plugin("svc", "s", "Svc", ComponentConfigurationDTO.UNSATISFIED_REFERENCE, "Meta")));
        assertTrue(settled(
                plugin("meta", "m", "Meta", ComponentConfigurationDTO.FAILED_ACTIVATION, null),
                plugin("svc", "s", "Svc", ComponentConfigurationDTO.UNSATISFIED_REFERENCE, "Meta"),
                plugin("grpc", "g", "Grpc", ComponentConfigurationDTO.UNSATISFIED_REFERENCE, "Svc")));
    }

    @Test
    void aCycleNeverComesUp() {
        assertTrue(settled(
                plugin("a", "t", "A", ComponentConfigurationDTO.UNSATISFIED_REFERENCE, "B"),
                plugin("b", "t", "B", ComponentConfigurationDTO.UNSATISFIED_REFERENCE, "A")));
    }
}
