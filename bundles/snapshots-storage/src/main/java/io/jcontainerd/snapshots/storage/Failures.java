package io.jcontainerd.snapshots.storage;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Turns file-system failures into the error vocabulary, with containerd's wrapping. */
public final class Failures {
    private Failures() {
    }

    /** {@code "<context>: <cause>"}, keeping a ContainerdException's class and UNKNOWN otherwise. */
    public static ContainerdException wrap(String context, Throwable t) {
        if (t instanceof ContainerdException ce) {
            return ce.wrap(context);
        }
        Throwable cause = t instanceof UncheckedIOException u ? u.getCause() : t;
        String text = cause instanceof IOException && cause.getMessage() != null ? cause.getMessage() : String.valueOf(cause);
        return new ContainerdException(ErrorCode.UNKNOWN, context + ": " + text, t);
    }
}
