package io.jcontainerd.ttrpc;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;

/**
 * A call that ended with a status other than OK: the peer's {@code google.rpc.Status} (code and
 * message as the peer sent them), or a local failure expressed the same way (deadline, cancellation,
 * oversize message, closed connection).
 */
public class TtrpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    // gRPC status codes, as ttrpc uses them
    public static final int CANCELLED = 1;
    public static final int UNKNOWN = 2;
    public static final int INVALID_ARGUMENT = 3;
    public static final int DEADLINE_EXCEEDED = 4;
    public static final int NOT_FOUND = 5;
    public static final int ALREADY_EXISTS = 6;
    public static final int RESOURCE_EXHAUSTED = 8;
    public static final int FAILED_PRECONDITION = 9;
    public static final int UNIMPLEMENTED = 12;
    public static final int INTERNAL = 13;
    public static final int UNAVAILABLE = 14;

    private final int code;
    private final String description;

    public TtrpcException(int code, String description) {
        this(code, description, null);
    }

    public TtrpcException(int code, String description, Throwable cause) {
        super(description, cause);
        this.code = code;
        this.description = description == null ? "" : description;
    }

    /** The gRPC status code. */
    public int code() {
        return code;
    }

    /** The status message, verbatim. */
    public String description() {
        return description;
    }

    /**
     * The error in containerd's vocabulary, as containerd's {@code errdefs.FromGRPC} reads a status: the
     * class from the code, the message unchanged (a trailing {@code ": <class text>"} becomes the class
     * suffix rather than being repeated).
     */
    public ContainerdException toContainerdException() {
        return Errdefs.fromGrpc(code, description, this);
    }

    @Override
    public String toString() {
        return "ttrpc status " + code + ": " + description;
    }
}
