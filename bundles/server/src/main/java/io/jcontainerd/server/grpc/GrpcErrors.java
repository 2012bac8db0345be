package io.jcontainerd.server.grpc;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.errdefs.ContainerdException;
import java.lang.System.Logger.Level;
import java.util.concurrent.CancellationException;

/**
 * The one place errors become gRPC statuses, as containerd's {@code errdefs.ToGRPC}: each error class
 * keeps its code and its whole message (context and class text) as the description; anything outside
 * the vocabulary is Unknown with its message, and is logged because it is a bug or an I/O failure.
 */
public final class GrpcErrors {
    private static final System.Logger LOG = System.getLogger(GrpcErrors.class.getName());

    private GrpcErrors() {
    }

    /** The status a client should see for {@code t}. */
    public static Status toStatus(Throwable t) {
        if (t instanceof StatusRuntimeException sre) {
            return sre.getStatus();
        }
        if (t instanceof StatusException se) {
            return se.getStatus();
        }
        if (t instanceof ContainerdException ce) {
            return Status.fromCodeValue(ce.code().grpcCode()).withDescription(ce.getMessage());
        }
        if (t instanceof CancellationException) {
            return Status.CANCELLED.withDescription("context canceled");
        }
        LOG.log(Level.WARNING, "unexpected error serving a call", t);
        return Status.UNKNOWN.withDescription(String.valueOf(t.getMessage())).withCause(t);
    }

    /** {@link #toStatus} as an exception, for {@code StreamObserver.onError}. */
    public static StatusRuntimeException toStatusException(Throwable t) {
        return toStatus(t).asRuntimeException();
    }
}
