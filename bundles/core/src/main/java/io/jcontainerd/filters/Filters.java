package io.jcontainerd.filters;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.errdefs.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * containerd's filter language.
 *
 * <pre>
 * selectors := selector ("," selector)*         all must match
 * selector  := fieldpath (operator value)?      no operator: the field must be present
 * fieldpath := field ("." field)*
 * field     := quoted | [A-Za-z0-9_]+
 * operator  := "==" | "!=" | "~="               ~= is an unanchored regular expression
 * value     := quoted | [^\s,]+
 * quoted    := "..." (Go string syntax); with ~= also /.../ or |...|
 * </pre>
 *
 * A request's list of filter strings matches when any one of them does.
 */
public final class Filters {
    private Filters() {
    }

    /** Parses one filter string, throwing InvalidArgument with containerd's message on a syntax error. */
    public static Filter parse(String input) {
        try {
            return new FilterParser(input).parse();
        } catch (FilterSyntaxException e) {
            throw Errdefs.invalidArgument("filters: %s", e.getMessage());
        }
    }

    /** Parses a list of filters that match when any does; an empty or absent list matches everything. */
    public static Filter parseAny(List<String> inputs) {
        if (inputs == null || inputs.isEmpty()) {
            return Filter.ALWAYS;
        }
        List<Filter> any = new ArrayList<>(inputs.size());
        for (String s : inputs) {
            any.add(parse(s));
        }
        return a -> {
            for (Filter f : any) {
                if (f.match(a)) {
                    return true;
                }
            }
            return false;
        };
    }

    /**
     * {@link #parseAny}, with a parse error reported as containerd's stores and services report it:
     * the parser's whole message, its {@code : invalid argument} included, wrapped once more as
     * InvalidArgument (so clients print the class twice, as they do against containerd).
     */
    public static Filter parseRequest(List<String> inputs) {
        try {
            return parseAny(inputs);
        } catch (ContainerdException e) {
            throw new ContainerdException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
        }
    }

    /** A filter that matches when all of {@code filters} do. */
    static Filter all(List<Filter> filters) {
        List<Filter> copy = List.copyOf(filters);
        return a -> {
            for (Filter f : copy) {
                if (!f.match(a)) {
                    return false;
                }
            }
            return true;
        };
    }
}
