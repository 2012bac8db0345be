package io.jcontainerd.server.grpc;

import io.grpc.Context;
import io.grpc.Metadata;
import io.jcontainerd.namespaces.Namespaces;

/**
 * The namespace of the call being served, read once from the {@code containerd-namespace} header by
 * the server. Namespaced services call {@link #required()} first; Version, Introspection, Namespaces
 * and Health ignore it, as containerd does.
 */
public final class GrpcNamespace {
    /** The request header. */
    public static final Metadata.Key<String> HEADER =
            Metadata.Key.of(Namespaces.GRPC_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    /** The header's value in the call's context; {@code null} when the client sent none. */
    public static final Context.Key<String> KEY = Context.key(Namespaces.GRPC_HEADER);

    private GrpcNamespace() {
    }

    /** The raw header value, or {@code null}. */
    public static String current() {
        return KEY.get();
    }

    /**
     * The validated namespace of the current call.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException FailedPrecondition when absent,
     *         InvalidArgument when not a valid identifier
     */
    public static String required() {
        return Namespaces.required(KEY.get());
    }
}
