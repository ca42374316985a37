package org.jalign.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Jinja2 template into text and tag tokens, as Hugging Face configures Jinja for chat
 * templates: {@code trim_blocks=True, lstrip_blocks=True} (transformers,
 * {@code utils/chat_template_utils.py}, {@code _compile_jinja_template}) and Jinja's default
 * {@code keep_trailing_newline=False}.
 *
 * <p>Whitespace rules, in the order Jinja applies them (jinja2/lexer.py):
 * <ol>
 *   <li>{@code {{-}, {@code {%-}, {@code {#-} strip all whitespace before the tag;
 *       {@code -}}}, {@code -%}}, {@code -#}} strip all whitespace after it.</li>
 *   <li>lstrip_blocks: spaces and tabs between the start of a line and a {@code {%}/{@code {#}
 *       tag are removed (not before {@code {{}; {@code {%+} turns it off for one tag).</li>
 *   <li>trim_blocks: the first newline after a {@code %}}/{@code #}} is removed
 *       ({@code +%}} turns it off).</li>
 *   <li>One newline at the very end of the template is removed.</li>
 * </ol>
 */
final class JinjaLexer {

    enum Type { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    /** A token; {@code offset} is where it starts in the template source. */
    record Token(Type type, String text, int offset) {
        boolean is(Type t, String s) {
            return type == t && text.equals(s);
        }

        boolean isOp(String s) {
            return is(Type.OP, s);
        }

        boolean isName(String s) {
            return is(Type.NAME, s);
        }
    }

    /** Two-character operators first, so {@code ==} is not read as {@code =} twice. */
    private static final List<String> OPERATORS = List.of("==", "!=", "<=", ">=", "//", "**",
            "+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]", "{", "}", ".", ",", ":", "|", "=");

    private final String source;
    private final int end;
    private final List<Token> tokens = new ArrayList<>();

    private JinjaLexer(String source) {
        this.source = source;
        // keep_trailing_newline=False: one final newline is not part of the output
        this.end = source.endsWith("\r\n") ? source.length() - 2 : source.endsWith("\n") ? source.length() - 1 : source.length();
    }

    static List<Token> tokenize(String source) {
        JinjaLexer lexer = new JinjaLexer(source);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        int pos = 0;
        while (pos < end) {
            int tag = nextTag(pos);
            String text = source.substring(pos, tag);
            boolean lineStart = pos == 0 || source.charAt(pos - 1) == '\n';
            if (tag == end) {
                addText(text, pos);
                break;
            }
            char kind = source.charAt(tag + 1);
            char marker = tag + 2 < end ? source.charAt(tag + 2) : 0;
            if (marker == '-') {
                text = text.stripTrailing();
            } else if (kind != '{' && marker != '+') {
                text = lstripBlock(text, lineStart);
            }
            addText(text, pos);
            int inner = tag + 2 + (marker == '-' || marker == '+' ? 1 : 0);
            int after;
            if (kind == '#') {
                int close = source.indexOf("#}", inner);
                if (close < 0 || close + 2 > end) {
                    throw new ChatTemplateException(tag, "comment '{#' is never closed with '#}'");
                }
                after = afterTag(close, close + 2, true);
            } else {
                tokens.add(new Token(kind == '{' ? Type.VAR_BEGIN : Type.BLOCK_BEGIN, source.substring(tag, inner), tag));
                after = expression(inner, kind == '{' ? "}}" : "%}", tag);
            }
            pos = after;
        }
        tokens.add(new Token(Type.EOF, "", end));
    }

    /** The offset of the next {@code {{}, {@code {%} or {@code {#}, or {@link #end}. */
    private int nextTag(int from) {
        for (int i = from; i + 1 < end; i++) {
            if (source.charAt(i) == '{') {
                char c = source.charAt(i + 1);
                if (c == '{' || c == '%' || c == '#') {
                    return i;
                }
            }
        }
        return end;
    }

    /** lstrip_blocks: drop the spaces/tabs that are all that stands between a line start and the tag. */
    private static String lstripBlock(String text, boolean textStartsALine) {
        int lineStart = text.lastIndexOf('\n') + 1;
        if (lineStart == 0 && !textStartsALine) {
            return text;
        }
        for (int i = lineStart; i < text.length(); i++) {
            if (text.charAt(i) != ' ' && text.charAt(i) != '\t') {
                return text;
            }
        }
        return text.substring(0, lineStart);
    }

    /**
     * Where the text after a tag closing at {@code close} (its {@code }}}/{@code %}}/{@code #}})
     * starts: past all whitespace for {@code -}, past one newline for a block under trim_blocks.
     */
    private int afterTag(int close, int after, boolean block) {
        char before = close > 0 ? source.charAt(close - 1) : 0;
        if (before == '-') {
            while (after < end && Character.isWhitespace(source.charAt(after))) {
                after++;
            }
        } else if (block && before != '+') {
            if (source.startsWith("\r\n", after)) {
                after += 2;
            } else if (after < end && source.charAt(after) == '\n') {
                after++;
            }
        }
        return after;
    }

    /** Tokens of an expression up to its closing delimiter; returns where the following text starts. */
    private int expression(int pos, String closing, int tagOffset) {
        while (true) {
            while (pos < end && Character.isWhitespace(source.charAt(pos))) {
                pos++;
            }
            if (pos >= end) {
                throw new ChatTemplateException(tagOffset, "tag '" + source.substring(tagOffset, tagOffset + 2)
                        + "' is never closed with '" + closing + "'");
            }
            for (String marker : new String[] {"-", "+", ""}) {
                if (source.startsWith(marker + closing, pos)) {
                    int close = pos + marker.length();
                    tokens.add(new Token(closing.equals("}}") ? Type.VAR_END : Type.BLOCK_END, closing, close));
                    return afterTag(close, close + 2, closing.equals("%}"));
                }
            }
            char c = source.charAt(pos);
            if (c == '\'' || c == '"') {
                pos = string(pos, c);
            } else if (Character.isDigit(c)) {
                int start = pos;
                while (pos < end && Character.isDigit(source.charAt(pos))) {
                    pos++;
                }
                boolean fraction = pos + 1 < end && source.charAt(pos) == '.' && Character.isDigit(source.charAt(pos + 1));
                if (fraction) {
                    pos++;
                    while (pos < end && Character.isDigit(source.charAt(pos))) {
                        pos++;
                    }
                }
                tokens.add(new Token(fraction ? Type.FLOAT : Type.INT, source.substring(start, pos), start));
            } else if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < end && (Character.isLetterOrDigit(source.charAt(pos)) || source.charAt(pos) == '_')) {
                    pos++;
                }
                tokens.add(new Token(Type.NAME, source.substring(start, pos), start));
            } else {
                String op = null;
                for (String o : OPERATORS) {
                    if (source.startsWith(o, pos)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw new ChatTemplateException(pos, "unexpected character '" + c + "' in an expression");
                }
                tokens.add(new Token(Type.OP, op, pos));
                pos += op.length();
            }
        }
    }

    /** A quoted string with Python's escapes ({@code \n \t \r \\ \' \"}); others keep their backslash. */
    private int string(int start, char quote) {
        StringBuilder value = new StringBuilder();
        int pos = start + 1;
        while (true) {
            if (pos >= end) {
                throw new ChatTemplateException(start, "string literal is never closed");
            }
            char c = source.charAt(pos++);
            if (c == quote) {
                tokens.add(new Token(Type.STRING, value.toString(), start));
                return pos;
            }
            if (c == '\\' && pos < end) {
                char e = source.charAt(pos++);
                switch (e) {
                    case 'n' -> value.append('\n');
                    case 't' -> value.append('\t');
                    case 'r' -> value.append('\r');
                    case '\\', '\'', '"' -> value.append(e);
                    default -> value.append('\\').append(e);
                }
            } else {
                value.append(c);
            }
        }
    }

    private void addText(String text, int offset) {
        if (!text.isEmpty()) {
            tokens.add(new Token(Type.TEXT, text, offset));
        }
    }
}
