package io.jcontainerd.filters;

import java.util.List;

/**
 * Exposes an object's fields to a {@link Filter}.
 *
 * <p>{@code field(["labels", "a"])} answers the value of label {@code a}; an absent field answers
 * {@code null}. Present fields with no value (a container's {@code image} left empty, say) answer
 * the empty string only when the object's owner says the field is present.
 */
@FunctionalInterface
public interface Adaptor {
    /** The field's value, or {@code null} if the object has no such field. */
    String field(List<String> fieldpath);
}
