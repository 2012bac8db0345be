package io.jcontainerd.runtime;

import java.time.Instant;

/**
 * How a process ended.
 *
 * @param pid       its pid
 * @param status    its exit status (128 + signal when killed)
 * @param timestamp when it exited
 */
public record Exit(int pid, int status, Instant timestamp) {
}
