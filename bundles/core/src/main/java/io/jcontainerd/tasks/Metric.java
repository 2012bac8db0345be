package io.jcontainerd.tasks;

import io.jcontainerd.types.TypedValue;
import java.time.Instant;

/**
 * One task's statistics.
 *
 * @param timestamp when they were collected
 * @param id        the task (container) id
 * @param data      the runtime's statistics, e.g. {@code io.containerd.cgroups.v1.Metrics}
 */
public record Metric(Instant timestamp, String id, TypedValue data) {
}
