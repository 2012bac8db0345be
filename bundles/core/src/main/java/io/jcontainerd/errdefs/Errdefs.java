package io.jcontainerd.errdefs;

/**
 * Short constructors for the error vocabulary, with containerd's message shapes.
 *
 * <p>Formats use {@link String#format}; {@link #q(String)} quotes a value as Go's {@code %q} does,
 * so messages read exactly as containerd's ({@code container "c1" in namespace "default": not found}).
 */
public final class Errdefs {
    private Errdefs() {
    }

    public static ContainerdException invalidArgument(String format, Object... args) {
        return new ContainerdException(ErrorCode.INVALID_ARGUMENT, String.format(format, args));
    }

    public static ContainerdException notFound(String format, Object... args) {
        return new ContainerdException(ErrorCode.NOT_FOUND, String.format(format, args));
    }

    public static ContainerdException alreadyExists(String format, Object... args) {
        return new ContainerdException(ErrorCode.ALREADY_EXISTS, String.format(format, args));
    }

    public static ContainerdException failedPrecondition(String format, Object... args) {
        return new ContainerdException(ErrorCode.FAILED_PRECONDITION, String.format(format, args));
    }

    public static ContainerdException unavailable(String format, Object... args) {
        return new ContainerdException(ErrorCode.UNAVAILABLE, String.format(format, args));
    }

    public static ContainerdException notImplemented(String format, Object... args) {
        return new ContainerdException(ErrorCode.NOT_IMPLEMENTED, String.format(format, args));
    }

    /**
     * The error a peer's status stands for, as containerd's {@code errdefs.FromGRPC} reads it: the class
     * from the gRPC code, the message unchanged (a trailing {@code ": <class text>"} becomes the class
     * suffix rather than being repeated).
     */
    public static ContainerdException fromGrpc(int grpcCode, String description, Throwable cause) {
        ErrorCode ec = ErrorCode.ofGrpcCode(grpcCode);
        String context = description == null ? "" : description;
        if (context.equals(ec.text())) {
            context = "";
        } else if (context.endsWith(": " + ec.text())) {
            context = context.substring(0, context.length() - ec.text().length() - 2);
        }
        if (ec == ErrorCode.UNKNOWN) {
            // containerd's errdefs.FromGRPC makes such an error of its unknown class, whose text it
            // then carries: "<description>: unknown", or "unknown" alone
            context = context.isEmpty() ? ec.text() : context + ": " + ec.text();
        }
        return new ContainerdException(ec, context, cause);
    }

    /** True if {@code t} is a {@link ContainerdException} of class {@code code}. */
    public static boolean is(Throwable t, ErrorCode code) {
        return t instanceof ContainerdException ce && ce.code() == code;
    }

    /**
     * Quotes {@code s} as Go's {@code %q} verb does for printable text: double quotes around it,
     * backslash escapes for quotes, backslashes and control characters.
     */
    public static String q(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case 0x07 -> b.append("\\a");
                case 0x08 -> b.append("\\b");
                case 0x0b -> b.append("\\v");
                case 0x0c -> b.append("\\f");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        b.append(String.format("\\x%02x", cp));
                    } else {
                        b.appendCodePoint(cp);
                    }
                }
            }
        });
        return b.append('"').toString();
    }
}
