package io.jcontainerd.plugin;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as containerd writes them: parsed as Go's {@code time.ParseDuration} reads the forms
 * configurations use ({@code 100ms}, {@code 1.5s}, {@code 1m30s}), formatted as Go's
 * {@code time.Duration.String} does.
 */
public final class GoDuration {
    private static final Pattern UNIT = Pattern.compile("(\\d+(?:\\.\\d*)?)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {
    }

    /** Parses {@code s}; blank and {@code 0} are zero; anything else unreadable is an IllegalArgumentException. */
    public static Duration parse(String s) {
        if (s == null || s.isBlank() || s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = UNIT.matcher(s);
        double nanos = 0;
        int at = 0;
        while (m.find() && m.start() == at) {
            double v = Double.parseDouble(m.group(1));
            nanos += v * switch (m.group(2)) {
                case "ns" -> 1d;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            at = m.end();
        }
        if (at != s.length()) {
            throw new IllegalArgumentException("time: invalid duration \"" + s + "\"");
        }
        return Duration.ofNanos((long) nanos);
    }

    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        nanos = Math.abs(nanos);
        if (nanos < 1_000) {
            return sign + nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return sign + decimal(nanos, 3) + "µs";
        }
        if (nanos < 1_000_000_000) {
            return sign + decimal(nanos, 6) + "ms";
        }
        long hours = nanos / 3_600_000_000_000L;
        long minutes = nanos / 60_000_000_000L % 60;
        String seconds = decimal(nanos % 60_000_000_000L, 9) + "s";
        if (hours > 0) {
            return sign + hours + "h" + minutes + "m" + seconds;
        }
        return sign + (minutes > 0 ? minutes + "m" : "") + seconds;
    }

    private static String decimal(long value, int scale) {
        return BigDecimal.valueOf(value, scale).stripTrailingZeros().toPlainString();
    }
}
