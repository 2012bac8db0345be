package io.jcontainerd.runtime;

/** A process's status, numbered as {@code containerd.v1.types.Status}. */
public enum Status {
    UNKNOWN, CREATED, RUNNING, STOPPED, PAUSED, PAUSING;

    /** The status with wire number {@code n}; {@link #UNKNOWN} for numbers not known here. */
    public static Status ofNumber(int n) {
        Status[] all = values();
        return n >= 0 && n < all.length ? all[n] : UNKNOWN;
    }
}
