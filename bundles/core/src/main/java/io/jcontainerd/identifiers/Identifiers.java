package io.jcontainerd.identifiers;

import static io.jcontainerd.errdefs.Errdefs.q;

import io.jcontainerd.errdefs.Errdefs;
import java.util.regex.Pattern;

/**
 * containerd's identifier rules: namespaces, container ids, exec ids and topic components must be
 * 1..76 characters of alphanumerics separated by single {@code .}, {@code _} or {@code -}.
 * Such identifiers are safe as file system path components.
 */
public final class Identifiers {
    /** The longest identifier accepted. */
    public static final int MAX_LENGTH = 76;
    /** The pattern, spelled as containerd prints it in its error messages. */
    public static final String PATTERN = "^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$";

    private static final Pattern RE = Pattern.compile(PATTERN);

    private Identifiers() {
    }

    /** True if {@code s} is a valid identifier. */
    public static boolean isValid(String s) {
        return s != null && !s.isEmpty() && s.length() <= MAX_LENGTH && RE.matcher(s).matches();
    }

    /**
     * Checks {@code s}, throwing InvalidArgument with containerd's message when it is not a valid
     * identifier.
     */
    public static void validate(String s) {
        if (s == null || s.isEmpty()) {
            throw Errdefs.invalidArgument("identifier must not be empty");
        }
        if (s.length() > MAX_LENGTH) {
            throw Errdefs.invalidArgument("identifier %s greater than maximum length (%d characters)", q(s), MAX_LENGTH);
        }
        if (!RE.matcher(s).matches()) {
            throw Errdefs.invalidArgument("identifier %s must match %s", q(s), PATTERN);
        }
    }
}
