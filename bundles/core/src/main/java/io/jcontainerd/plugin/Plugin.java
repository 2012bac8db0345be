package io.jcontainerd.plugin;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * A component's containerd identity, as DS component properties {@code plugin.type} and
 * {@code plugin.id}. Every plugin component carries it, is named {@code <type>.<id>} (its Config Admin
 * PID and {@code [plugins."<type>.<id>"]} section), and is declared {@code enabled = false}: the plugin
 * registry enables it unless config.toml lists it in {@code disabled_plugins}.
 *
 * <p>References to other plugins use a target filter on {@code plugin.type} (and {@code plugin.id}
 * when one of several is meant); introspection reads the required types from those targets.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Plugin {
    /** Prefix of the component properties this annotation sets. */
    String PREFIX_ = "plugin.";

    /** Component property holding the plugin type. */
    String TYPE = "plugin.type";
    /** Component property holding the plugin id. */
    String ID = "plugin.id";
    /** Component property holding the platforms a plugin runs on ({@code os/arch}), if it lists any. */
    String PLATFORMS = "plugin.platforms";
    /** {@link #PLATFORMS} value for plugins that run on the daemon's own platform ({@code linux/amd64} here). */
    String HOST_PLATFORM = "host";
    /** Prefix of service properties a plugin exports to introspection ({@code plugin.exports.root}). */
    String EXPORTS_PREFIX = "plugin.exports.";

    /** The plugin type, one of {@link PluginType}'s constants for containerd's own types. */
    String type();

    /** The plugin id, unique within its type. */
    String id();
}
