package io.jcontainerd.snapshots;

/** containerd's snapshot kinds, numbered as on the wire. */
public enum Kind {
    UNKNOWN, VIEW, ACTIVE, COMMITTED
}
