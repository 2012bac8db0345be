package io.jcontainerd.server.internal;

import io.jcontainerd.introspection.PluginInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * containerd's {@code required_plugins}: every plugin named must have loaded, or the daemon does not
 * serve. The reasons are containerd's words: the first required plugin that failed to load, else all
 * the required ones that are not there (disabled or unknown).
 */
final class RequiredPlugins {
    /** Framework property: the required plugin URIs, comma-separated (set by the launcher). */
    static final String PROPERTY = "jcontainerd.required_plugins";

    private RequiredPlugins() {
    }

    /** Why the daemon must not serve, or null when every required plugin loaded. */
    static String problem(List<String> required, List<PluginInfo> plugins) {
        Map<String, PluginInfo> byUri = new HashMap<>();
        for (PluginInfo p : plugins) {
            byUri.put(p.type() + "." + p.id(), p);
        }
        List<String> missing = new ArrayList<>();
        for (String uri : required) {
            PluginInfo p = byUri.get(uri);
            if (p == null) {
                missing.add(uri);
            } else if (p.initError() != null) {
                return "load required plugin " + uri + ": " + p.initError().message();
            }
        }
        return missing.isEmpty() ? null : "required plugin " + missing.toString().replace(",", "") + " not included";
    }
}
