package io.jcontainerd.monitor.cgroups;

import java.util.List;
import java.util.function.Function;

/**
 * One exported metric: its full name, help text, own label names (after {@code container_id} and
 * {@code namespace}), and its samples from a task's stats of type {@code M}.
 */
record Metric<M>(String name, String help, List<String> labels, Function<M, List<Sample>> samples) {
    /** One sample: its value and the values of the metric's own labels. */
    record Sample(double value, List<String> labels) {
        static List<Sample> one(long value) {
            return List.of(new Sample(unsigned(value), List.of()));
        }
    }

    /** A uint64 carried in a long, as a double. */
    static double unsigned(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }
}
