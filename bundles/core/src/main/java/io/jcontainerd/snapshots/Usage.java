package io.jcontainerd.snapshots;

/** Disk used by one snapshot alone (not its parents): bytes and inodes. */
public record Usage(long size, long inodes) {
}
