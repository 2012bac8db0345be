package io.jcontainerd.server.internal;

import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.util.MutableHandlerRegistry;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The services currently served. Calls to a service or method nobody serves fail with Unimplemented
 * and the words grpc-go uses ({@code unknown service X}, {@code unknown method M for service X}),
 * since containerd's clients see those from containerd.
 */
final class ServiceRegistry extends HandlerRegistry {
    private final MutableHandlerRegistry services = new MutableHandlerRegistry();
    /** Full names ({@code service/method}) of the methods that may run on the thread that reads their connection. */
    private final Set<String> nonBlocking = ConcurrentHashMap.newKeySet();

    void add(ServerServiceDefinition def, Set<String> nonBlockingMethods) {
        String service = def.getServiceDescriptor().getName();
        for (String m : nonBlockingMethods) {
            nonBlocking.add(service + "/" + m);
        }
        services.addService(def);
    }

    void remove(ServerServiceDefinition def) {
        services.removeService(def);
        String prefix = def.getServiceDescriptor().getName() + "/";
        nonBlocking.removeIf(m -> m.startsWith(prefix));
    }

    /**
     * Where calls run: those of non-blocking methods where they arrive (the server's executor is
     * direct, so on the thread that reads the connection, with no hand-off to another thread and back), all
     * others on {@code blocking}.
     */
    ServerCallExecutorSupplier executors(Executor blocking) {
        return new ServerCallExecutorSupplier() {
            @Override
            public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
                return nonBlocking.contains(call.getMethodDescriptor().getFullMethodName()) ? null : blocking;
            }
        };
    }

    @Override
    public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
        ServerMethodDefinition<?, ?> found = services.lookupMethod(methodName, authority);
        return found != null ? found : unknown(methodName);
    }

    private ServerMethodDefinition<InputStream, InputStream> unknown(String fullMethodName) {
        String service = MethodDescriptor.extractFullServiceName(fullMethodName);
        String method = fullMethodName.substring(fullMethodName.lastIndexOf('/') + 1);
        boolean knownService = services.getServices().stream()
                .anyMatch(s -> s.getServiceDescriptor().getName().equals(service));
        String description = knownService
                ? "unknown method " + method + " for service " + service
                : "unknown service " + service;
        MethodDescriptor<InputStream, InputStream> descriptor = MethodDescriptor.<InputStream, InputStream>newBuilder()
                .setType(MethodDescriptor.MethodType.UNKNOWN)
                .setFullMethodName(fullMethodName)
                .setRequestMarshaller(RAW)
                .setResponseMarshaller(RAW)
                .build();
        return ServerMethodDefinition.create(descriptor, new Unimplemented(description));
    }

    /** Answers every call with Unimplemented and the given description. */
    private static final class Unimplemented implements ServerCallHandler<InputStream, InputStream> {
        private final String description;

        Unimplemented(String description) {
            this.description = description;
        }

        @Override
        public ServerCall.Listener<InputStream> startCall(ServerCall<InputStream, InputStream> call, Metadata headers) {
            call.close(Status.UNIMPLEMENTED.withDescription(description), new Metadata());
            return new ServerCall.Listener<InputStream>() { };
        }
    }

    private static final MethodDescriptor.Marshaller<InputStream> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
            return stream == null ? new ByteArrayInputStream(new byte[0]) : stream;
        }
    };
}
