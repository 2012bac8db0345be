package io.jcontainerd.filters;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** One {@code fieldpath op value} term of a filter. */
record Selector(List<String> fieldpath, Operator operator, String value, Pattern pattern) implements Filter {
    enum Operator { PRESENT, EQUAL, NOT_EQUAL, MATCHES }

    static Selector of(List<String> fieldpath, Operator operator, String value) {
        Pattern p = null;
        if (operator == Operator.MATCHES) {
            try {
                p = Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                p = null; // like containerd: a regexp that does not compile matches nothing
            }
        }
        return new Selector(List.copyOf(fieldpath), operator, value, p);
    }

    @Override
    public boolean match(Adaptor adaptor) {
        String v = adaptor.field(fieldpath);
        return switch (operator) {
            case PRESENT -> v != null;
            case EQUAL -> v != null && v.equals(value);
            case NOT_EQUAL -> !(v == null ? "" : v).equals(value);
            case MATCHES -> pattern != null && pattern.matcher(v == null ? "" : v).find();
        };
    }
}
