package io.jcontainerd.server.grpc;

import io.grpc.Context;
import io.grpc.Metadata;

/**
 * The lease of the call being served, read from the {@code containerd-lease} header by the server:
 * content and snapshots a call creates under a lease become the lease's resources.
 */
public final class GrpcLease {
    /** The request header's name. */
    public static final String HEADER_NAME = "containerd-lease";
    /** The request header. */
    public static final Metadata.Key<String> HEADER = Metadata.Key.of(HEADER_NAME, Metadata.ASCII_STRING_MARSHALLER);
    /** The header's value in the call's context; {@code null} when the client sent none. */
    public static final Context.Key<String> KEY = Context.key(HEADER_NAME);

    private GrpcLease() {
    }

    /** The lease id of the current call, or {@code null} when there is none. */
    public static String current() {
        String lease = KEY.get();
        return lease == null || lease.isEmpty() ? null : lease;
    }
}
