package io.jcontainerd.plugin;

import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Ends the daemon for a reason, as containerd ends when it cannot serve (a required plugin that did not
 * load, a metrics address in use): the launcher registers a {@code Consumer<String>} with the service
 * property {@value #PROPERTY}{@code =true}, which logs the reason and exits with code 1.
 */
public final class DaemonFatal {
    /** Service property marking the launcher's consumer. */
    public static final String PROPERTY = "jcontainerd.fatal";

    private static final System.Logger LOG = System.getLogger(DaemonFatal.class.getName());

    private DaemonFatal() {
    }

    /** Logs {@code reason} and hands it to the launcher's consumer (none outside the launcher, in tests). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void end(BundleContext context, String reason) {
        LOG.log(System.Logger.Level.ERROR, reason);
        try {
            for (ServiceReference<Consumer> ref : context.getServiceReferences(Consumer.class, "(" + PROPERTY + "=true)")) {
                Consumer<String> consumer = context.getService(ref);
                if (consumer != null) {
                    try {
                        consumer.accept(reason);
                    } finally {
                        context.ungetService(ref);
                    }
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
