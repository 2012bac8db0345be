package io.jcontainerd.server.internal;

import io.jcontainerd.plugin.Plugin;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * Decides from Service Component Runtime state whether plugin loading has settled: every plugin that
 * can come up is up. A plugin is settled when it is active, failed, or unsatisfied for good (what it
 * needs is provided by no plugin that will itself come up). One still activating, or waiting for a
 * provider that is on its way, keeps the daemon from opening its socket, as containerd initialises
 * all plugins before serving.
 */
final class PluginReadiness {
    /** A plugin component as SCR reports it: description and (first) configuration, if any. */
    record State(ComponentDescriptionDTO description, ComponentConfigurationDTO configuration) {
    }

    private final List<State> plugins;
    /** Does {@code target} (an LDAP filter or null) match the service properties of a description? */
    private final BiPredicate<String, Map<String, Object>> targetMatches;
    private final Map<String, Boolean> willComeUp = new HashMap<>();
    private final Set<String> visiting = new HashSet<>();

    PluginReadiness(List<State> plugins, BiPredicate<String, Map<String, Object>> targetMatches) {
        this.plugins = plugins;
        this.targetMatches = targetMatches;
    }

    /** True when no plugin is still on its way up. */
    boolean settled() {
        for (State s : plugins) {
            ComponentConfigurationDTO c = s.configuration();
            if (c == null) {
                continue; // waits for configuration that only an operator can give
            }
            switch (c.state) {
                case ComponentConfigurationDTO.ACTIVE, ComponentConfigurationDTO.FAILED_ACTIVATION -> {
                }
                case ComponentConfigurationDTO.SATISFIED -> {
                    if (s.description().immediate) {
                        return false; // about to activate
                    }
                }
                case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> {
                    if (willComeUp(s)) {
                        return false;
                    }
                }
                default -> {
                }
            }
        }
        return true;
    }

    private boolean willComeUp(State s) {
        String name = s.description().name;
        Boolean known = willComeUp.get(name);
        if (known != null) {
            return known;
        }
        if (!visiting.add(name)) {
            return false; // a cycle never resolves
        }
        boolean result = computeWillComeUp(s);
        visiting.remove(name);
        willComeUp.put(name, result);
        return result;
    }

    private boolean computeWillComeUp(State s) {
        ComponentConfigurationDTO c = s.configuration();
        if (c == null) {
            return false;
        }
        switch (c.state) {
            case ComponentConfigurationDTO.ACTIVE, ComponentConfigurationDTO.SATISFIED:
                return true;
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE:
                for (UnsatisfiedReferenceDTO ref : c.unsatisfiedReferences) {
                    if (!someProviderWillComeUp(s, ref)) {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }

    private boolean someProviderWillComeUp(State consumer, UnsatisfiedReferenceDTO ref) {
        String iface = interfaceOf(consumer.description(), ref.name);
        for (State p : plugins) {
            if (p == consumer || p.description().serviceInterfaces == null) {
                continue;
            }
            if (List.of(p.description().serviceInterfaces).contains(iface)
                    && targetMatches.test(ref.target, p.description().properties)
                    && willComeUp(p)) {
                return true;
            }
        }
        return false;
    }

    private static String interfaceOf(ComponentDescriptionDTO d, String reference) {
        for (var r : d.references) {
            if (r.name.equals(reference)) {
                return r.interfaceName;
            }
        }
        return "";
    }

    /** True if the description belongs to a plugin component. */
    static boolean isPlugin(ComponentDescriptionDTO d) {
        return d.properties != null && d.properties.get(Plugin.TYPE) instanceof String;
    }
}
