package io.jcontainerd.filters;

/** A predicate over objects seen through an {@link Adaptor}; build one with {@link Filters}. */
@FunctionalInterface
public interface Filter {
    /** A filter that matches everything. */
    Filter ALWAYS = a -> true;

    boolean match(Adaptor adaptor);
}
