package io.jcontainerd.launcher;

import java.util.logging.LogManager;

/**
 * A {@link LogManager} that keeps its handlers through JVM shutdown until the daemon has stopped, so
 * that what the plugins log while stopping is not lost (the JDK's own shutdown hook would otherwise
 * reset logging concurrently with ours). Installed with {@code -Djava.util.logging.manager}.
 */
public class DaemonLogManager extends LogManager {
    private volatile boolean holding = true;

    @Override
    public void reset() {
        if (!holding) {
            super.reset();
        }
    }

    /** Lets logging be reset (called once the daemon has stopped). */
    void release() {
        holding = false;
        super.reset();
    }
}
