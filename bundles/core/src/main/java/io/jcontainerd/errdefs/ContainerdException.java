package io.jcontainerd.errdefs;

import java.util.Objects;

/**
 * The one exception plugins throw for expected failures.
 *
 * <p>Its message follows containerd's wrapping: the context, then {@code ": "} and the class text,
 * e.g. {@code namespace "n1": already exists}. A {@link ErrorCode#UNKNOWN} error carries its context
 * verbatim. The gRPC edge sends {@link #getMessage()} as the status description, which is what
 * containerd clients print and sometimes match on.
 */
public class ContainerdException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String context;

    public ContainerdException(ErrorCode code, String context) {
        this(code, context, null);
    }

    public ContainerdException(ErrorCode code, String context, Throwable cause) {
        super(format(code, context), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.context = context == null ? "" : context;
    }

    private static String format(ErrorCode code, String context) {
        if (code == ErrorCode.UNKNOWN) {
            return context;
        }
        if (context == null || context.isEmpty()) {
            return code.text();
        }
        return context + ": " + code.text();
    }

    /** The error class. */
    public ErrorCode code() {
        return code;
    }

    /** The message without the class suffix. */
    public String context() {
        return context;
    }

    /** Wraps this error with more context, keeping its class: {@code "<prefix>: <message>"}. */
    public ContainerdException wrap(String prefix) {
        return new ContainerdException(code, prefix + ": " + context, this);
    }
}
