package io.jcontainerd.filters;

/** A parse error, with the position marked as containerd marks it: {@code [before >|x|< after]: msg}. */
final class FilterSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    FilterSyntaxException(String input, int pos, String msg) {
        super("parse error: " + locate(input, pos) + ": " + msg);
    }

    private static String locate(String input, int pos) {
        if (pos < input.length()) {
            int end = input.offsetByCodePoints(pos, 1);
            return "[" + input.substring(0, pos) + " >|" + input.substring(pos, end) + "|< " + input.substring(end) + "]";
        }
        return "[" + input + "]";
    }
}
