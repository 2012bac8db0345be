package io.jcontainerd.digest;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A content digest, {@code <algorithm>:<hex>}, checked as go-digest's {@code Parse} does.
 *
 * @param algorithm {@code sha256}, {@code sha384} or {@code sha512}
 * @param encoded   the lowercase hex value
 */
public record Digest(String algorithm, String encoded) {
    private static final Pattern FORMAT = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    private static final Pattern HEX = Pattern.compile("[a-f0-9]*");
    private static final Map<String, Integer> HEX_LENGTH = Map.of("sha256", 64, "sha384", 96, "sha512", 128);

    /** Thrown for a string that is not a valid digest, with go-digest's words. */
    public static final class InvalidDigestException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidDigestException(String message) {
            super(message);
        }
    }

    /** Parses and validates {@code s}. */
    public static Digest parse(String s) {
        if (s == null || !FORMAT.matcher(s).matches()) {
            throw new InvalidDigestException("invalid checksum digest format");
        }
        int colon = s.indexOf(':');
        String algorithm = s.substring(0, colon);
        String encoded = s.substring(colon + 1);
        Integer length = HEX_LENGTH.get(algorithm);
        if (length == null) {
            throw new InvalidDigestException("unsupported digest algorithm");
        }
        if (encoded.length() != length || !HEX.matcher(encoded).matches()) {
            throw new InvalidDigestException("invalid checksum digest length");
        }
        return new Digest(algorithm, encoded);
    }

    @Override
    public String toString() {
        return algorithm + ":" + encoded;
    }
}
