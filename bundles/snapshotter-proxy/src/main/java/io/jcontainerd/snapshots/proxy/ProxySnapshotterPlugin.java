package io.jcontainerd.snapshots.proxy;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.snapshots.Snapshotter;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * containerd's {@code [proxy_plugins.<name>]} of type {@code snapshot}: the snapshotter plugin
 * {@code io.containerd.snapshotter.v1.<name>} served by another process on a unix socket. A factory
 * component: the launcher gives it one configuration per proxy ({@code plugin.id} = the name,
 * {@code address}), so each proxy is a plugin of its own in the plugin list. The connection is made
 * when first used, as containerd's is, so a proxy whose process is not up yet loads and fails its
 * calls with Unavailable until it is.
 */
@Component(name = "io.jcontainerd.snapshotter.proxy", configurationPolicy = ConfigurationPolicy.REQUIRE,
        enabled = false, immediate = true, service = Snapshotter.class,
        property = Plugin.TYPE + "=" + PluginType.SNAPSHOTTER)
public class ProxySnapshotterPlugin extends ProxySnapshotter {

    @ObjectClassDefinition(name = "jcontainerd snapshotter proxy", description = "[proxy_plugins.<name>] type snapshot")
    public @interface Config {
        @AttributeDefinition(description = "The proxy's name: the snapshotter clients ask for")
        String plugin_id();

        @AttributeDefinition(description = "The unix socket of the process serving containerd's snapshots API")
        String address();
    }

    /** The proxy's channel and the event loop it runs on. */
    private record Connection(EventLoopGroup loop, ManagedChannel channel) {
        static Connection open(Config config) {
            if (config.address() == null || config.address().isBlank()) {
                throw new IllegalArgumentException("proxy plugin " + config.plugin_id() + ": address is required");
            }
            EventLoopGroup loop = new EpollEventLoopGroup(1,
                    new DefaultThreadFactory("snapshotter-proxy-" + config.plugin_id(), true));
            ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(config.address()))
                    .eventLoopGroup(loop)
                    .channelType(EpollDomainSocketChannel.class)
                    .usePlaintext()
                    .maxInboundMessageSize(16 << 20)
                    .build();
            return new Connection(loop, channel);
        }
    }

    private final Connection connection;

    /**
     * The launcher targets {@code conflict} at any other snapshotter of the same name. containerd
     * refuses to start with two plugins of one name; here the proxy gives way (it fails to load, and
     * loads again if the other one goes).
     */
    @Activate
    public ProxySnapshotterPlugin(Config config,
            @Reference(name = "conflict", service = Snapshotter.class, cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY, target = "(" + Plugin.ID + "=)") Snapshotter conflict) {
        this(config.plugin_id(), open(config, conflict));
    }

    private static Connection open(Config config, Snapshotter conflict) {
        if (conflict != null) {
            throw new IllegalStateException(PluginType.SNAPSHOTTER + "." + config.plugin_id() + ": plugin: id already registered");
        }
        return Connection.open(config);
    }

    private ProxySnapshotterPlugin(String name, Connection connection) {
        super(name, connection.channel());
        this.connection = connection;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        connection.channel().shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        connection.loop().shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
