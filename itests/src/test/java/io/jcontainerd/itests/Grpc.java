package io.jcontainerd.itests;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A gRPC client channel on a unix socket, for calls ctr does not make. */
final class Grpc implements AutoCloseable {
    private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    final ManagedChannel channel;

    Grpc(Path socket) {
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class)
                .usePlaintext()
                .maxInboundMessageSize(16 << 20)
                .build();
    }

    /** An interceptor sending {@code containerd-namespace: ns}. */
    static ClientInterceptor namespace(String ns) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("containerd-namespace", Metadata.ASCII_STRING_MARSHALLER), ns);
        return MetadataUtils.newAttachHeadersInterceptor(md);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
}
