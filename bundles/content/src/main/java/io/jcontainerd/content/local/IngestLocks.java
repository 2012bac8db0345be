package io.jcontainerd.content.local;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.plugin.GoDuration;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One writer per ingest ref inside this process (containerd's {@code content/local/locks.go}). A taker
 * that finds the ref held retries a few times with short random pauses before giving up Unavailable.
 */
final class IngestLocks {
    private static final int ATTEMPTS = 10;

    private final ConcurrentHashMap<String, Instant> held = new ConcurrentHashMap<>();

    /** Takes the lock of {@code ref} or throws Unavailable ({@code ref … locked for …}). */
    void lock(String ref) {
        ContainerdException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Instant now = Instant.now();
            Instant since = held.putIfAbsent(ref, now);
            if (since == null) {
                return;
            }
            last = Errdefs.unavailable("ref %s locked for %s (since %s)", ref,
                    GoDuration.format(Duration.between(since, now)), since);
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(1 << attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw last;
    }

    void unlock(String ref) {
        held.remove(ref);
    }

    boolean isLocked(String ref) {
        return held.containsKey(ref);
    }
}
