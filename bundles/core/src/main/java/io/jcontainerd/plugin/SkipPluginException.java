package io.jcontainerd.plugin;

/**
 * Thrown from a plugin's activation when it does not apply to this host (a snapshotter whose file
 * system is missing, say). Introspection shows the plugin as {@code skip}, as containerd does, because
 * the message ends with {@code ": skip plugin"}.
 */
public class SkipPluginException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SkipPluginException(String reason) {
        super(reason + ": skip plugin");
    }
}
