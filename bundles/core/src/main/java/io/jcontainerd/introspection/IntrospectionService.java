package io.jcontainerd.introspection;

import java.util.List;

/** The introspection service ({@code io.containerd.service.v1 introspection-service}). */
public interface IntrospectionService {
    /**
     * The plugins matching any of {@code filters} (containerd filter syntax over {@code type} and
     * {@code id}); all of them when there are none.
     */
    List<PluginInfo> plugins(List<String> filters);

    /** The daemon's UUID, created on first use and kept under the daemon root. */
    String uuid();
}
