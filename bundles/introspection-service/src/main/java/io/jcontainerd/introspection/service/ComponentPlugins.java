package io.jcontainerd.introspection.service;

import io.jcontainerd.introspection.PluginInfo;
import io.jcontainerd.plugin.Plugin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.dto.ServiceReferenceDTO;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.SatisfiedReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * Derives containerd's plugin list from Service Component Runtime state: every enabled component
 * carrying {@link Plugin} properties is a plugin; its DS state gives ok / error / skip, its references'
 * {@code plugin.type} targets (and the plugin types bound to its mandatory references) give its
 * requirements.
 */
final class ComponentPlugins {
    /** gRPC code containerd reports for plugin failures (they are not errdefs errors). */
    static final int UNKNOWN = 2;

    private static final Pattern TYPE_IN_TARGET = Pattern.compile("\\(" + Pattern.quote(Plugin.TYPE) + "=([^)]+)\\)");

    /** The daemon's platform as Go names it ({@code GOOS/GOARCH}). */
    static final String HOST = "linux/" + switch (System.getProperty("os.arch")) {
        case "x86_64", "amd64" -> "amd64";
        case "aarch64" -> "arm64";
        case "ppc64le" -> "ppc64le";
        case "s390x" -> "s390x";
        case "riscv64" -> "riscv64";
        default -> System.getProperty("os.arch");
    };

    private ComponentPlugins() {
    }

    /** One component's description with its configurations, as read from SCR. */
    record Component(ComponentDescriptionDTO description, List<ComponentConfigurationDTO> configurations) {
    }

    /** The plugins among {@code components}, dependencies first, otherwise in registration order. */
    static List<PluginInfo> plugins(List<Component> components) {
        List<PluginInfo> plugins = new ArrayList<>();
        for (Component c : components) {
            plugins.addAll(pluginsOf(c));
        }
        return dependenciesFirst(plugins);
    }

    /**
     * The plugin a component is; or, for a factory component whose configurations name the plugins
     * (the snapshotter proxies: {@code plugin.id} in each configuration), one plugin per configuration.
     */
    static List<PluginInfo> pluginsOf(Component c) {
        ComponentDescriptionDTO d = c.description();
        if (d.properties == null || !(d.properties.get(Plugin.TYPE) instanceof String type)) {
            return List.of();
        }
        if (d.properties.get(Plugin.ID) instanceof String id) {
            return List.of(plugin(d, type, id, c.configurations().isEmpty() ? null : c.configurations().get(0)));
        }
        List<PluginInfo> out = new ArrayList<>();
        for (ComponentConfigurationDTO conf : c.configurations()) {
            if (conf.properties != null && conf.properties.get(Plugin.ID) instanceof String id) {
                out.add(plugin(d, type, id, conf));
            }
        }
        return out;
    }

    private static PluginInfo plugin(ComponentDescriptionDTO d, String type, String id, ComponentConfigurationDTO conf) {
        List<String> platforms = strings(d.properties.get(Plugin.PLATFORMS)).stream()
                .map(p -> p.equals(Plugin.HOST_PLATFORM) ? HOST : p).toList();
        return new PluginInfo(type, id, requires(d, conf), platforms,
                exports(conf), strings(d.properties.get("plugin.capabilities")), initError(d, conf));
    }

    private static List<String> requires(ComponentDescriptionDTO d, ComponentConfigurationDTO conf) {
        Set<String> types = new LinkedHashSet<>();
        for (ReferenceDTO r : d.references) {
            String target = r.target;
            if (conf != null && conf.properties != null && conf.properties.get(r.name + ".target") instanceof String t) {
                target = t;
            }
            if (target != null) {
                Matcher m = TYPE_IN_TARGET.matcher(target);
                while (m.find()) {
                    types.add(m.group(1));
                }
            }
            // an untargeted reference counts through what it is bound to, when the component cannot go
            // without it (optional ones, such as the metadata plugin's mutation listeners, are no requirement)
            if (conf != null && !r.cardinality.startsWith("0")) {
                for (SatisfiedReferenceDTO s : conf.satisfiedReferences) {
                    if (s.name.equals(r.name)) {
                        for (ServiceReferenceDTO bound : s.boundServices) {
                            if (bound.properties.get(Plugin.TYPE) instanceof String t) {
                                types.add(t);
                            }
                        }
                    }
                }
            }
        }
        return List.copyOf(types);
    }

    private static Map<String, String> exports(ComponentConfigurationDTO conf) {
        Map<String, String> exports = new LinkedHashMap<>();
        if (conf != null && conf.properties != null) {
            conf.properties.forEach((k, v) -> {
                if (k.startsWith(Plugin.EXPORTS_PREFIX)) {
                    exports.put(k.substring(Plugin.EXPORTS_PREFIX.length()), String.valueOf(v));
                }
            });
        }
        return exports;
    }

    static PluginInfo.InitError initError(ComponentDescriptionDTO d, ComponentConfigurationDTO conf) {
        if (conf == null) {
            return new PluginInfo.InitError(UNKNOWN, "plugin " + d.name + " has no configuration: "
                    + "a [plugins.\"" + d.name + "\"] section is required");
        }
        return switch (conf.state) {
            case ComponentConfigurationDTO.ACTIVE, ComponentConfigurationDTO.SATISFIED -> null;
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> new PluginInfo.InitError(UNKNOWN,
                    "plugin " + d.name + " has no configuration: a [plugins.\"" + d.name + "\"] section is required");
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> new PluginInfo.InitError(UNKNOWN,
                    unsatisfied(d, conf));
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> new PluginInfo.InitError(UNKNOWN,
                    failure(conf.failure));
            default -> new PluginInfo.InitError(UNKNOWN, "plugin " + d.name + " is in state " + conf.state);
        };
    }

    private static final Pattern ID_IN_TARGET = Pattern.compile("\\(" + Pattern.quote(Plugin.ID) + "=([^)]+)\\)");

    /** containerd's message for a missing dependency: {@code no plugins registered for <type>: not found}. */
    private static String unsatisfied(ComponentDescriptionDTO d, ComponentConfigurationDTO conf) {
        List<String> missing = new ArrayList<>();
        for (UnsatisfiedReferenceDTO u : conf.unsatisfiedReferences) {
            String target = u.target == null ? "" : u.target;
            Matcher type = TYPE_IN_TARGET.matcher(target);
            if (type.find()) {
                Matcher id = ID_IN_TARGET.matcher(target);
                missing.add(id.find() ? type.group(1) + "." + id.group(1) : type.group(1));
            } else {
                missing.add(interfaceOf(d, u.name));
            }
        }
        return "no plugins registered for " + String.join(", ", missing) + ": not found";
    }

    private static String interfaceOf(ComponentDescriptionDTO d, String reference) {
        for (ReferenceDTO r : d.references) {
            if (r.name.equals(reference)) {
                return r.interfaceName;
            }
        }
        return reference;
    }

    /** The exception message of an activation failure, without the stack trace SCR keeps. */
    static String failure(String failure) {
        if (failure == null || failure.isBlank()) {
            return "plugin failed to start";
        }
        String first = failure.lines().findFirst().orElse(failure).strip();
        // SCR wraps constructor exceptions; show the innermost "Caused by" message when there is one
        String cause = failure.lines().filter(l -> l.startsWith("Caused by: ")).reduce((a, b) -> b).orElse(null);
        String line = cause != null ? cause.substring("Caused by: ".length()) : first;
        int colon = line.indexOf(": ");
        if (colon > 0 && line.substring(0, colon).matches("[\\w.$]+(Exception|Error)")) {
            return line.substring(colon + 2);
        }
        return line;
    }

    private static List<String> strings(Object value) {
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof String[] a) {
            return List.of(a);
        }
        return List.of();
    }

    /** Orders plugins so that each comes after the plugins of the types it requires, else keeps order. */
    static List<PluginInfo> dependenciesFirst(List<PluginInfo> plugins) {
        List<PluginInfo> ordered = new ArrayList<>(plugins.size());
        List<PluginInfo> pending = new ArrayList<>(plugins);
        while (!pending.isEmpty()) {
            PluginInfo next = null;
            for (PluginInfo p : pending) {
                boolean ready = true;
                for (String t : p.requires()) {
                    if (!t.equals(p.type()) && pending.stream().anyMatch(o -> o != p && o.type().equals(t))) {
                        ready = false;
                        break;
                    }
                }
                if (ready) {
                    next = p;
                    break;
                }
            }
            if (next == null) {
                next = onACycle(pending);
            }
            pending.remove(next);
            ordered.add(next);
        }
        return ordered;
    }

    /**
     * When no pending plugin is ready, the types they require form a cycle (our walking differ needs the
     * content service, the diff service needs a differ): the first plugin whose own type is on such a
     * cycle goes next, so plugins that merely wait on the cycle still come after it.
     */
    private static PluginInfo onACycle(List<PluginInfo> pending) {
        Map<String, Set<String>> edges = new LinkedHashMap<>();
        for (PluginInfo p : pending) {
            for (String t : p.requires()) {
                if (!t.equals(p.type()) && pending.stream().anyMatch(o -> o.type().equals(t))) {
                    edges.computeIfAbsent(p.type(), k -> new LinkedHashSet<>()).add(t);
                }
            }
        }
        for (PluginInfo p : pending) {
            Set<String> seen = new LinkedHashSet<>();
            List<String> todo = new ArrayList<>(edges.getOrDefault(p.type(), Set.of()));
            while (!todo.isEmpty()) {
                String t = todo.remove(todo.size() - 1);
                if (t.equals(p.type())) {
                    return p;
                }
                if (seen.add(t)) {
                    todo.addAll(edges.getOrDefault(t, Set.of()));
                }
            }
        }
        return pending.get(0);
    }

    /**
     * Registration order: by the start level of the component's bundle, then by bundle id (the order in
     * which the launcher, or the operator, installed the bundles), then by component name.
     */
    static Comparator<ComponentDescriptionDTO> registrationOrder(ToIntFunction<ComponentDescriptionDTO> startLevel) {
        return Comparator.comparingInt(startLevel)
                .thenComparingLong((ComponentDescriptionDTO d) -> d.bundle.id)
                .thenComparing(d -> d.name);
    }
}
