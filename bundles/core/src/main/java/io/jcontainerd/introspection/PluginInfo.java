package io.jcontainerd.introspection;

import java.util.List;
import java.util.Map;

/**
 * One plugin as introspection reports it.
 *
 * @param type         plugin type, e.g. {@code io.containerd.metadata.v1}
 * @param id           plugin id, e.g. {@code bolt}
 * @param requires     the plugin types it needs, in declaration order
 * @param platforms    platforms it runs on as {@code os/arch[/variant]}; empty for all
 * @param exports      values it makes known, e.g. its root directory
 * @param capabilities feature switches
 * @param initError    why it is not working, or {@code null} when it is
 */
public record PluginInfo(String type, String id, List<String> requires, List<String> platforms,
        Map<String, String> exports, List<String> capabilities, InitError initError) {

    public PluginInfo {
        requires = List.copyOf(requires);
        platforms = List.copyOf(platforms);
        exports = Map.copyOf(exports);
        capabilities = List.copyOf(capabilities);
    }

    /** The plugin's URI, {@code <type>.<id>}. */
    public String uri() {
        return type + "." + id;
    }

    /**
     * A plugin's initialisation error, as a gRPC status code and message (containerd reports plugin
     * errors as Unknown; a message ending in {@code ": skip plugin"} shows as skip).
     */
    public record InitError(int code, String message) {
    }
}
