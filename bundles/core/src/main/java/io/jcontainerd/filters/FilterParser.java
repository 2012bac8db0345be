package io.jcontainerd.filters;

import java.util.ArrayList;
import java.util.List;

/**
 * Scanner and recursive-descent parser for one filter string (see {@link Filters} for the grammar).
 * Positions in error messages are character offsets into the input.
 */
final class FilterParser {
    private static final int EOF = -1;
    private static final int QUOTED = -2;
    private static final int VALUE = -3;
    private static final int FIELD = -4;
    private static final int SEPARATOR = -5;
    private static final int OPERATOR = -6;
    private static final int ILLEGAL = -7;

    private final String input;
    // scanner state: pos = start of the current rune, ppos = just after it
    private int pos;
    private int ppos;
    private boolean valueMode;
    private String scanError;
    // result of the last scan()
    private int tokPos;
    private String tokText;

    FilterParser(String input) {
        this.input = input;
    }

    Filter parse() throws FilterSyntaxException {
        if (input.isEmpty()) {
            return Filter.ALWAYS;
        }
        List<Filter> selectors = new ArrayList<>();
        selectors.add(selector());
        while (true) {
            int ch = peek();
            if (ch == ',') {
                if (scan() != SEPARATOR) {
                    throw error(tokPos, "expected a separator");
                }
                selectors.add(selector());
            } else if (ch == EOF) {
                break;
            } else {
                throw error(ppos, "unexpected input: " + (ch < 0 ? "" : new String(Character.toChars(ch))));
            }
        }
        return selectors.size() == 1 ? selectors.get(0) : Filters.all(selectors);
    }

    private Selector selector() throws FilterSyntaxException {
        List<String> fieldpath = fieldpath();
        int ch = peek();
        if (ch == ',' || ch == EOF) {
            return Selector.of(fieldpath, Selector.Operator.PRESENT, null);
        }
        Selector.Operator op = operator();
        String value = value(op == Selector.Operator.MATCHES);
        return Selector.of(fieldpath, op, value);
    }

    private List<String> fieldpath() throws FilterSyntaxException {
        List<String> fields = new ArrayList<>();
        fields.add(field());
        while (peek() == '.') {
            if (scan() != SEPARATOR) {
                throw error(tokPos, "expected a field separator (`.`)");
            }
            fields.add(field());
        }
        return fields;
    }

    private String field() throws FilterSyntaxException {
        int tok = scan();
        return switch (tok) {
            case FIELD -> tokText;
            case QUOTED -> unquote(tokPos, tokText, false);
            case ILLEGAL -> throw error(tokPos, scanError);
            default -> throw error(tokPos, "expected field or quoted");
        };
    }

    private Selector.Operator operator() throws FilterSyntaxException {
        int tok = scan();
        if (tok == OPERATOR) {
            return switch (tokText) {
                case "==" -> Selector.Operator.EQUAL;
                case "!=" -> Selector.Operator.NOT_EQUAL;
                case "~=" -> Selector.Operator.MATCHES;
                default -> throw error(tokPos, "unsupported operator " + io.jcontainerd.errdefs.Errdefs.q(tokText));
            };
        }
        if (tok == ILLEGAL) {
            throw error(tokPos, scanError);
        }
        throw error(tokPos, "expected an operator (\"==\"|\"!=\"|\"~=\")");
    }

    private String value(boolean allowAltQuotes) throws FilterSyntaxException {
        int tok = scan();
        return switch (tok) {
            case VALUE, FIELD -> tokText;
            case QUOTED -> unquote(tokPos, tokText, allowAltQuotes);
            case ILLEGAL -> throw error(tokPos, scanError);
            default -> throw error(tokPos, "expected value or quoted");
        };
    }

    private String unquote(int at, String s, boolean allowAlts) throws FilterSyntaxException {
        if (!allowAlts && s.charAt(0) != '\'' && s.charAt(0) != '"') {
            throw error(at, "invalid quote encountered");
        }
        String u = Unquote.unquote(s);
        if (u == null) {
            throw error(at, "unquoting failed: quote syntax error");
        }
        return u;
    }

    private FilterSyntaxException error(int at, String msg) {
        return new FilterSyntaxException(input, at, msg);
    }

    // ---- scanner -------------------------------------------------------------------------------

    private int next() {
        if (pos >= input.length()) {
            return EOF;
        }
        pos = ppos;
        if (ppos >= input.length()) {
            return EOF;
        }
        int cp = input.codePointAt(ppos);
        ppos += Character.charCount(cp);
        if (cp == 0) {
            scanFailed("unexpected null");
            return ILLEGAL;
        }
        return cp;
    }

    private int peek() {
        int savedPos = pos;
        int savedPpos = ppos;
        int ch = next();
        pos = savedPos;
        ppos = savedPpos;
        return ch;
    }

    /** Reads the next token into {@link #tokPos}/{@link #tokText} and answers its kind (or the rune). */
    private int scan() {
        int ch = next();
        int start = pos;
        while (true) {
            if (ch == EOF || ch == ILLEGAL) {
                return token(pos, ch, "");
            }
            if (isQuote(ch)) {
                boolean ok = scanQuoted(ch);
                return token(start, ok ? QUOTED : ILLEGAL, input.substring(start, ppos));
            }
            if (ch == ',' || ch == '.') {
                valueMode = false;
                return token(start, SEPARATOR, input.substring(start, ppos));
            }
            if (isOperator(ch)) {
                while (isOperator(peek())) {
                    next();
                }
                valueMode = true;
                return token(start, OPERATOR, input.substring(start, ppos));
            }
            if (isSpace(ch)) {
                ch = next();
                start = pos;
                continue;
            }
            if (valueMode) {
                while (isValueRune(peek())) {
                    next();
                }
                valueMode = false;
                return token(start, VALUE, input.substring(start, ppos));
            }
            if (isFieldRune(ch)) {
                while (isFieldRune(peek())) {
                    next();
                }
                return token(start, FIELD, input.substring(start, ppos));
            }
            return token(pos, ch, "");
        }
    }

    private int token(int at, int kind, String text) {
        tokPos = at;
        tokText = text;
        return kind;
    }

    private boolean scanQuoted(int quote) {
        boolean illegal = false;
        int ch = next();
        while (ch != quote) {
            if (ch == '\n' || ch < 0) {
                scanFailed("quoted literal not terminated");
                return false;
            }
            if (ch == '\\') {
                int[] r = scanEscape(quote);
                ch = r[0];
                if (r[1] == 0) {
                    illegal = true;
                }
            } else {
                ch = next();
            }
        }
        return !illegal;
    }

    /** Answers {next rune, 1 if the escape was legal else 0}. */
    private int[] scanEscape(int quote) {
        int ch = next();
        switch (ch) {
            case 'a', 'b', 'f', 'n', 'r', 't', 'v', '\\' -> {
                return new int[] {next(), 1};
            }
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                return scanDigits(ch, 8, 3);
            }
            case 'x' -> {
                return scanDigits(next(), 16, 2);
            }
            case 'u' -> {
                return scanDigits(next(), 16, 4);
            }
            case 'U' -> {
                return scanDigits(next(), 16, 8);
            }
            default -> {
                if (ch == quote) {
                    return new int[] {next(), 1};
                }
                scanFailed("illegal escape sequence");
                return new int[] {ch, 0};
            }
        }
    }

    private int[] scanDigits(int ch, int base, int n) {
        while (n > 0 && digitValue(ch) < base) {
            ch = next();
            n--;
        }
        if (n > 0) {
            scanFailed("illegal numeric escape sequence");
            return new int[] {ch, 0};
        }
        return new int[] {ch, 1};
    }

    private static int digitValue(int ch) {
        if (ch >= '0' && ch <= '9') {
            return ch - '0';
        }
        if (ch >= 'a' && ch <= 'f') {
            return ch - 'a' + 10;
        }
        if (ch >= 'A' && ch <= 'F') {
            return ch - 'A' + 10;
        }
        return 16;
    }

    private void scanFailed(String msg) {
        if (scanError == null) {
            scanError = msg;
        }
    }

    private static boolean isQuote(int r) {
        return r == '/' || r == '|' || r == '"';
    }

    private static boolean isOperator(int r) {
        return r == '=' || r == '!' || r == '~';
    }

    private static boolean isFieldRune(int r) {
        return r == '_' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9');
    }

    private static boolean isSpace(int r) {
        return r >= 0 && (Character.isWhitespace(r) || Character.isSpaceChar(r) || r == 0x85);
    }

    private static boolean isValueRune(int r) {
        return r >= 0 && r != ',' && !isSpace(r) && !Character.isISOControl(r) && Character.isDefined(r);
    }
}
