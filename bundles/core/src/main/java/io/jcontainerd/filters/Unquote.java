package io.jcontainerd.filters;

/**
 * Go string-literal unquoting as the filter language uses it: {@code "..."}, and for regular
 * expressions {@code /.../} and {@code |...|}, with Go's escapes. Answers {@code null} on a syntax error.
 */
final class Unquote {
    private Unquote() {
    }

    static String unquote(String s) {
        int n = s.length();
        if (n < 2) {
            return null;
        }
        char quote = s.charAt(0);
        if (quote != s.charAt(n - 1) || (quote != '"' && quote != '\'' && quote != '|' && quote != '/')) {
            return null;
        }
        String body = s.substring(1, n - 1);
        if (body.indexOf('\n') >= 0) {
            return null;
        }
        if (body.indexOf('\\') < 0 && body.indexOf(quote) < 0 && quote != '\'') {
            return body;
        }
        StringBuilder out = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c == quote) {
                return null;
            }
            if (c != '\\') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= body.length()) {
                return null;
            }
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case '\\' -> out.append('\\');
                case 'x', 'u', 'U' -> {
                    int len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + len > body.length()) {
                        return null;
                    }
                    int v = 0;
                    for (int j = 0; j < len; j++) {
                        int d = Character.digit(body.charAt(i + j), 16);
                        if (d < 0) {
                            return null;
                        }
                        v = (v << 4) | d;
                    }
                    if (v > Character.MAX_CODE_POINT) {
                        return null;
                    }
                    out.appendCodePoint(v);
                    i += len;
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    if (i + 2 > body.length()) {
                        return null;
                    }
                    int v = e - '0';
                    for (int j = 0; j < 2; j++) {
                        int d = body.charAt(i + j) - '0';
                        if (d < 0 || d > 7) {
                            return null;
                        }
                        v = (v << 3) | d;
                    }
                    if (v > 255) {
                        return null;
                    }
                    out.append((char) v);
                    i += 2;
                }
                case '\'', '"', '|', '/' -> {
                    if (e != quote) {
                        return null;
                    }
                    out.append(e);
                }
                default -> {
                    return null;
                }
            }
        }
        return out.toString();
    }
}
