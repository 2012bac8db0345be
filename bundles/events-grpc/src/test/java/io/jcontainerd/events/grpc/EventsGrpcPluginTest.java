package io.jcontainerd.events.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import containerd.events.ContainerCreate;
import containerd.services.events.v1.Envelope;
import containerd.services.events.v1.EventsGrpc;
import containerd.services.events.v1.SubscribeRequest;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.jcontainerd.events.exchange.ExchangePlugin;
import io.jcontainerd.types.TypedValue;
import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class EventsGrpcPluginTest {
    @TempDir
    Path dir;

    /**
     * The transport writes on the thread that sends, and a subscriber that stops reading must hold up
     * only its own sender: a publisher's thread never sends on a subscription's stream.
     */
    @Test
    @Timeout(20)
    void aSubscriptionIsSentFromTheEventsServicesThreadNotThePublishers() throws Exception {
        ExchangePlugin exchange = new ExchangePlugin(new ExchangePlugin.Config() {
            @Override
            public int subscriber__buffer() {
                return 100;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return ExchangePlugin.Config.class;
            }
        });
        EventsGrpcPlugin plugin = new EventsGrpcPlugin(exchange, exchange, exchange);
        AtomicReference<Thread> sentOn = new AtomicReference<>();
        ServerInterceptor recordSender = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                return next.startCall(new SimpleForwardingServerCall<>(call) {
                    @Override
                    public void sendMessage(R message) {
                        sentOn.compareAndSet(null, Thread.currentThread());
                        super.sendMessage(message);
                    }
                }, headers);
            }
        };
        DomainSocketAddress socket = new DomainSocketAddress(dir.resolve("s.sock").toString());
        EpollEventLoopGroup loop = new EpollEventLoopGroup(1);
        Server server = NettyServerBuilder.forAddress(socket).channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(loop).workerEventLoopGroup(loop)
                .addService(ServerInterceptors.intercept(plugin, recordSender)).build().start();
        ManagedChannel channel = NettyChannelBuilder.forAddress(socket).channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(loop).usePlaintext().build();
        try {
            Iterator<Envelope> events = EventsGrpc.newBlockingStub(channel).subscribe(SubscribeRequest.getDefaultInstance());
            CompletableFuture<Envelope> first = CompletableFuture.supplyAsync(events::next);
            TypedValue create = new TypedValue("containerd.events.ContainerCreate",
                    ContainerCreate.newBuilder().setId("c1").build().toByteArray());
            Thread publisher = Thread.currentThread();
            while (!first.isDone()) { // until the subscription is in place
                exchange.publish("n1", "/containers/create", create);
                Thread.sleep(20);
            }
            Envelope e = first.get(5, TimeUnit.SECONDS);
            assertEquals("/containers/create", e.getTopic());
            assertEquals("n1", e.getNamespace());
            Thread sender = sentOn.get();
            assertNotNull(sender);
            assertNotEquals(publisher, sender);
            assertTrue(sender.getName().startsWith("events-send-"), sender.getName());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            plugin.deactivate();
        }
    }
}
