package io.jcontainerd.errdefs;

/**
 * The closed set of error classes every plugin speaks, mirroring containerd's {@code errdefs}.
 *
 * <p>Each class has the text containerd appends to a message ({@code ": not found"}) and the gRPC
 * status code the server maps it to. Only the gRPC edge turns a code into a status.
 */
public enum ErrorCode {
    /** Something is wrong with the request itself: a bad identifier, label or field. */
    INVALID_ARGUMENT("invalid argument", 3),
    /** The object named by the request does not exist. */
    NOT_FOUND("not found", 5),
    /** The object to create exists already. */
    ALREADY_EXISTS("already exists", 6),
    /** The system is not in the state the request needs (non-empty namespace, missing namespace). */
    FAILED_PRECONDITION("failed precondition", 9),
    /** A dependency is not there right now; the client may retry. */
    UNAVAILABLE("unavailable", 14),
    /** The operation is not supported by this implementation. */
    NOT_IMPLEMENTED("not implemented", 12),
    /** The caller gave up. */
    CANCELED("context canceled", 1),
    /** The deadline passed before the work finished. */
    DEADLINE_EXCEEDED("context deadline exceeded", 4),
    /** Anything else; the message is passed through verbatim. */
    UNKNOWN("unknown", 2);

    private final String text;
    private final int grpcCode;

    ErrorCode(String text, int grpcCode) {
        this.text = text;
        this.grpcCode = grpcCode;
    }

    /** The words containerd uses for this class, as they end an error message. */
    public String text() {
        return text;
    }

    /** The numeric gRPC status code containerd's {@code errdefs.ToGRPC} maps this class to. */
    public int grpcCode() {
        return grpcCode;
    }

    /** The class of a numeric gRPC code, {@link #UNKNOWN} for codes outside the vocabulary. */
    public static ErrorCode ofGrpcCode(int code) {
        for (ErrorCode c : values()) {
            if (c.grpcCode == code) {
                return c;
            }
        }
        return UNKNOWN;
    }
}
