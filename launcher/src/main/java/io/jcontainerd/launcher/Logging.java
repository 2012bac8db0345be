package io.jcontainerd.launcher;

import java.io.EOFException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.ClosedChannelException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Daemon logging on standard error in containerd's (logrus text) shape:
 * {@code time="2026-11-28T00:50:19.707035379Z" level=info msg="..." error="..."}.
 */
final class Logging {

    private Logging() {
    }

    /** Maps a containerd log level name to a JUL level. */
    static Level level(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.FINEST;
            case "debug" -> Level.FINE;
            case "info" -> Level.INFO;
            case "warn", "warning" -> Level.WARNING;
            case "error", "fatal", "panic" -> Level.SEVERE;
            default -> throw new IllegalArgumentException("unknown log level " + name
                    + " (expected trace, debug, info, warn, error, fatal or panic)");
        };
    }

    static String levelName(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "error";
        }
        if (v >= Level.WARNING.intValue()) {
            return "warning";
        }
        if (v >= Level.INFO.intValue()) {
            return "info";
        }
        if (v >= Level.FINE.intValue()) {
            return "debug";
        }
        return "trace";
    }

    /** Sends all logging at {@code level} and above to standard error, and quietens chatty libraries. */
    static void configure(Level level) {
        Logger root = Logger.getLogger("");
        for (Handler old : root.getHandlers()) {
            root.removeHandler(old);
        }
        Handler h = new StreamHandler(System.err, new LogrusFormatter(level.intValue() <= Level.FINE.intValue())) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        h.setLevel(Level.ALL);
        root.addHandler(h);
        root.setLevel(level);
        // the grpc/netty transport is verbose below WARNING even at debug; SO_KEEPALIVE on unix sockets
        // is reported on every connection
        quiet("io.grpc.netty.shaded.io.netty", Level.WARNING);
        quiet("io.grpc.netty.shaded.io.netty.bootstrap", Level.SEVERE);
        quiet("io.grpc", Level.WARNING);
        // a client that closes its connection before or while sending HTTP/2's preface (a liveness
        // probe, a client giving up) is not worth a warning, as containerd's server does not log it
        // either: the reading side sees the end of the stream, or a socket the writing side has closed
        Logger okhttp = Logger.getLogger("io.grpc.okhttp.OkHttpServerTransport");
        okhttp.setFilter(r -> !(r.getThrown() instanceof EOFException
                || r.getThrown() instanceof ClosedChannelException));
        CONFIGURED.add(okhttp);
    }

    /** JUL holds loggers weakly; the configured ones are kept here so their levels stick. */
    private static final List<Logger> CONFIGURED = new ArrayList<>();

    private static void quiet(String name, Level min) {
        Logger l = Logger.getLogger(name);
        Level current = Logger.getLogger("").getLevel();
        l.setLevel(current.intValue() > min.intValue() ? current : min);
        CONFIGURED.add(l);
    }

    /** One log line per record, logrus-style. */
    static final class LogrusFormatter extends Formatter {
        private final boolean stacks;

        LogrusFormatter(boolean stacks) {
            this.stacks = stacks;
        }

        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder(160);
            b.append("time=\"").append(timestamp(r.getInstant())).append("\" level=").append(levelName(r.getLevel()))
                    .append(" msg=").append(quote(formatMessage(r)));
            Throwable t = r.getThrown();
            if (t != null) {
                b.append(" error=").append(quote(String.valueOf(t.getMessage() != null ? t.getMessage() : t.toString())));
            }
            String logger = r.getLoggerName();
            if (logger != null && !logger.isEmpty()) {
                b.append(" module=").append(logger.substring(logger.lastIndexOf('.') + 1));
            }
            b.append('\n');
            if (t != null && (stacks || r.getLevel().intValue() >= Level.SEVERE.intValue())) {
                StringWriter sw = new StringWriter();
                t.printStackTrace(new PrintWriter(sw));
                b.append(sw);
            }
            return b.toString();
        }

        static String quote(String s) {
            StringBuilder b = new StringBuilder(s.length() + 2).append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\t' -> b.append("\\t");
                    case '\r' -> b.append("\\r");
                    default -> b.append(c);
                }
            }
            return b.append('"').toString();
        }
    }

    /** For messages before logging is configured (bad flags). */
    static void early(PrintStream out, String level, String msg) {
        out.println("time=\"" + timestamp(Instant.now()) + "\" level=" + level + " msg=" + LogrusFormatter.quote(msg));
    }

    /**
     * RFC 3339 with nanoseconds in UTC, as logrus prints it. Written out by hand: a DateTimeFormatter
     * pulls in locale data that costs tens of milliseconds at start-up.
     */
    static String timestamp(Instant t) {
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(30);
        pad(b, d.getYear(), 4).append('-');
        pad(b, d.getMonthValue(), 2).append('-');
        pad(b, d.getDayOfMonth(), 2).append('T');
        pad(b, d.getHour(), 2).append(':');
        pad(b, d.getMinute(), 2).append(':');
        pad(b, d.getSecond(), 2).append('.');
        pad(b, d.getNano(), 9).append('Z');
        return b.toString();
    }

    private static StringBuilder pad(StringBuilder b, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s);
    }
}
