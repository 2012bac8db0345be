package io.jcontainerd.events.ttrpc;

import io.jcontainerd.events.EventForwarder;
import io.jcontainerd.plugin.DaemonPaths;
import io.jcontainerd.plugin.PluginType;
import java.io.IOException;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The ttrpc endpoint of the daemon. containerd lists no plugin for it (its events gRPC plugin also
 * registers the ttrpc service), so this is a plain component like the gRPC server. Address from the
 * {@code jcontainerd.ttrpc.address} framework property ({@code [ttrpc] address}), else the gRPC
 * address + {@code .ttrpc}; owner from {@code jcontainerd.ttrpc.uid/gid}.
 */
@Component(name = "io.jcontainerd.server.ttrpc", immediate = true, service = {})
public class TtrpcEndpointComponent {
    static final String UID = "jcontainerd.ttrpc.uid";
    static final String GID = "jcontainerd.ttrpc.gid";

    private final TtrpcEndpoint endpoint;

    @Activate
    public TtrpcEndpointComponent(BundleContext ctx,
            @Reference(name = "forwarder", target = "(plugin.type=" + PluginType.EVENT + ")") EventForwarder forwarder)
            throws IOException {
        Path socket = Path.of(DaemonPaths.ttrpcAddress(ctx::getProperty));
        this.endpoint = new TtrpcEndpoint(socket, intProperty(ctx, UID), intProperty(ctx, GID), forwarder);
    }

    @Deactivate
    void deactivate() {
        endpoint.close();
    }

    private static int intProperty(BundleContext ctx, String name) {
        String v = ctx.getProperty(name);
        if (v == null || v.isBlank()) {
            return -1;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not " + v, e);
        }
    }
}
