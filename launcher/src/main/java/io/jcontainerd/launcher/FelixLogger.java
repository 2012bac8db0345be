package io.jcontainerd.launcher;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/** Routes the Felix framework's own messages (OSGi levels 1 error .. 4 debug) into the daemon log. */
final class FelixLogger extends org.apache.felix.framework.Logger {
    private static final Logger LOG = Logger.getLogger("org.apache.felix.framework");

    @Override
    protected void doLog(Bundle bundle, @SuppressWarnings("rawtypes") ServiceReference sr, int level, String msg,
            Throwable throwable) {
        publish(level, bundle == null ? msg : msg + " bundle=" + bundle.getSymbolicName(), throwable);
    }

    @Override
    protected void doLog(int level, String msg, Throwable throwable) {
        publish(level, msg, throwable);
    }

    private static void publish(int level, String msg, Throwable throwable) {
        Level l = switch (level) {
            case LOG_ERROR -> Level.SEVERE;
            case LOG_WARNING -> Level.WARNING;
            case LOG_INFO -> Level.INFO;
            default -> Level.FINEST;
        };
        LOG.log(l, msg, throwable);
    }
}
