package io.jcontainerd.server.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.jcontainerd.server.grpc.GrpcErrors;
import io.jcontainerd.server.grpc.GrpcLease;
import io.jcontainerd.server.grpc.GrpcNamespace;

/** The interceptors every call passes through. */
final class CallInterceptors {
    private CallInterceptors() {
    }

    /**
     * Copies the {@code containerd-namespace} and {@code containerd-lease} headers into the call's context. (Contexts.interceptCall
     * attaches the context around every listener callback, as the handler reads it.)
     */
    static final ServerInterceptor NAMESPACE = new ServerInterceptor() {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            String ns = headers.get(GrpcNamespace.HEADER);
            String lease = headers.get(GrpcLease.HEADER);
            if (ns == null && lease == null) {
                return next.startCall(call, headers);
            }
            Context ctx = Context.current();
            if (ns != null) {
                ctx = ctx.withValue(GrpcNamespace.KEY, ns);
            }
            if (lease != null) {
                ctx = ctx.withValue(GrpcLease.KEY, lease);
            }
            return Contexts.interceptCall(ctx, call, headers, next);
        }
    };

    /**
     * Turns an exception thrown by a service handler into the call's status (see {@link GrpcErrors}),
     * so that adapters simply throw and no error reaches a client as a bare UNKNOWN.
     */
    static final ServerInterceptor ERRORS = new ServerInterceptor() {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            ServerCall.Listener<Q> delegate;
            try {
                delegate = next.startCall(call, headers);
            } catch (RuntimeException e) {
                close(call, e);
                return new ServerCall.Listener<>() { };
            }
            return new SimpleForwardingServerCallListener<>(delegate) {
                @Override
                public void onMessage(Q message) {
                    try {
                        super.onMessage(message);
                    } catch (RuntimeException e) {
                        close(call, e);
                    }
                }

                @Override
                public void onHalfClose() {
                    try {
                        super.onHalfClose();
                    } catch (RuntimeException e) {
                        close(call, e);
                    }
                }

                @Override
                public void onReady() {
                    try {
                        super.onReady();
                    } catch (RuntimeException e) {
                        close(call, e);
                    }
                }
            };
        }

        private void close(ServerCall<?, ?> call, RuntimeException e) {
            Status status = GrpcErrors.toStatus(e);
            try {
                call.close(status, new Metadata());
            } catch (IllegalStateException alreadyClosed) {
                // the handler closed the call before failing; nothing more to tell the client
            }
        }
    };
}
