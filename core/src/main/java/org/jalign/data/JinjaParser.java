package org.jalign.data;

import org.jalign.data.JinjaAst.Attribute;
import org.jalign.data.JinjaAst.Binary;
import org.jalign.data.JinjaAst.Branch;
import org.jalign.data.JinjaAst.Call;
import org.jalign.data.JinjaAst.Conditional;
import org.jalign.data.JinjaAst.DictLiteral;
import org.jalign.data.JinjaAst.Expr;
import org.jalign.data.JinjaAst.Filter;
import org.jalign.data.JinjaAst.For;
import org.jalign.data.JinjaAst.If;
import org.jalign.data.JinjaAst.ListLiteral;
import org.jalign.data.JinjaAst.Literal;
import org.jalign.data.JinjaAst.Name;
import org.jalign.data.JinjaAst.Node;
import org.jalign.data.JinjaAst.Output;
import org.jalign.data.JinjaAst.Slice;
import org.jalign.data.JinjaAst.Subscript;
import org.jalign.data.JinjaAst.TestExpr;
import org.jalign.data.JinjaAst.Text;
import org.jalign.data.JinjaAst.Unary;
import org.jalign.data.JinjaLexer.Token;
import org.jalign.data.JinjaLexer.Type;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recursive-descent parser for the chat-template subset of Jinja2, with Jinja's own operator
 * precedence (jinja2/parser.py, loosest first): conditional {@code a if c else b}, {@code or},
 * {@code and}, {@code not}, comparisons and {@code in}, {@code + -}, {@code ~}, {@code * / // %},
 * {@code **}, unary minus, then a primary with its postfixes ({@code .attr}, {@code [i]},
 * {@code [a:b]}, {@code (args)}), filters {@code |f} and tests {@code is [not] t}. Note that
 * {@code ~} binds tighter than {@code +}, and filters tighter than any operator:
 * {@code 'a' + x | trim} trims x alone.
 *
 * <p>Anything outside the subset fails here, before any rendering, naming the construct and its
 * offset: macros, includes, {@code for ... else}, tuple unpacking, block {@code set}, unknown
 * filters, tests and functions.
 */
final class JinjaParser {

    private final List<Token> tokens;
    private int pos;

    private JinjaParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node> parse(String source) {
        JinjaParser parser = new JinjaParser(JinjaLexer.tokenize(source));
        List<Node> body = parser.body(List.of());
        Token rest = parser.peek();
        if (rest.type() != Type.EOF) { // body() stops only at EOF or at an end keyword nobody opened
            throw new ChatTemplateException(rest.offset(), "'" + parser.peek(1).text() + "' without a matching opening tag");
        }
        return body;
    }

    // ---- statements ----

    /** Nodes up to EOF or up to a {@code {%} whose keyword is one of {@code ends} (left unread). */
    private List<Node> body(List<String> ends) {
        List<Node> nodes = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.type()) {
                case EOF -> {
                    return nodes;
                }
                case TEXT -> nodes.add(new Text(next().text()));
                case VAR_BEGIN -> {
                    next();
                    nodes.add(new Output(expression()));
                    expect(Type.VAR_END, "'}}'");
                }
                case BLOCK_BEGIN -> {
                    Token keyword = peek(1);
                    if (keyword.type() == Type.NAME && (ends.contains(keyword.text()) || isEndKeyword(keyword.text()))) {
                        return nodes;
                    }
                    next();
                    statement(nodes);
                }
                default -> throw new ChatTemplateException(t.offset(), "unexpected '" + t.text() + "'");
            }
        }
    }

    private static boolean isEndKeyword(String name) {
        return name.startsWith("end") || name.equals("elif") || name.equals("else");
    }

    private void statement(List<Node> into) {
        Token keyword = next();
        if (keyword.type() != Type.NAME) {
            throw new ChatTemplateException(keyword.offset(), "expected a statement name after '{%', got '" + keyword.text() + "'");
        }
        switch (keyword.text()) {
            case "for" -> into.add(forLoop(keyword));
            case "if" -> into.add(ifChain(keyword));
            case "set" -> into.add(set(keyword));
            case "generation" -> {
                // TRL's assistant-mask marker: renders its body unchanged
                expect(Type.BLOCK_END, "'%}'");
                into.addAll(body(List.of("endgeneration")));
                closeBlock("endgeneration", keyword);
            }
            default -> throw new ChatTemplateException(keyword.offset(), "unsupported statement '" + keyword.text() + "'");
        }
    }

    private For forLoop(Token keyword) {
        Token variable = expect(Type.NAME, "a loop variable name");
        if (peek().isOp(",")) {
            throw new ChatTemplateException(peek().offset(), "unsupported construct: tuple unpacking in 'for'");
        }
        if (!next().isName("in")) {
            throw new ChatTemplateException(variable.offset(), "expected 'in' after the loop variable");
        }
        Expr iterable = or();
        if (peek().isName("if") || peek().isName("recursive")) {
            throw new ChatTemplateException(peek().offset(), "unsupported construct: 'for ... " + peek().text() + "'");
        }
        expect(Type.BLOCK_END, "'%}'");
        List<Node> loopBody = body(List.of("endfor"));
        if (peek(1).isName("else")) {
            throw new ChatTemplateException(peek().offset(), "unsupported construct: 'for ... else'");
        }
        closeBlock("endfor", keyword);
        return new For(variable.text(), iterable, loopBody, keyword.offset());
    }

    private If ifChain(Token keyword) {
        List<Branch> branches = new ArrayList<>();
        Expr condition = expression();
        while (true) {
            expect(Type.BLOCK_END, "'%}'");
            branches.add(new Branch(condition, body(List.of("elif", "else", "endif"))));
            Token end = requireEnd(keyword, "endif");
            if (end.isName("elif")) {
                next();
                next();
                condition = expression();
            } else {
                break;
            }
        }
        List<Node> otherwise = List.of();
        if (peek(1).isName("else")) {
            next();
            next();
            expect(Type.BLOCK_END, "'%}'");
            otherwise = body(List.of("endif"));
        }
        closeBlock("endif", keyword);
        return new If(branches, otherwise);
    }

    private JinjaAst.Set set(Token keyword) {
        Token name = expect(Type.NAME, "a variable name after 'set'");
        String attribute = null;
        if (peek().isOp(".")) {
            next();
            attribute = expect(Type.NAME, "an attribute name").text();
        }
        if (peek().type() == Type.BLOCK_END) {
            throw new ChatTemplateException(keyword.offset(), "unsupported construct: block 'set' (without '=')");
        }
        if (!next().isOp("=")) {
            throw new ChatTemplateException(name.offset(), "expected '=' in 'set'");
        }
        Expr value = expression();
        expect(Type.BLOCK_END, "'%}'");
        return new JinjaAst.Set(name.text(), attribute, value, keyword.offset());
    }

    /** The {@code {% end... %}} that must come next, as a clear error if the template ended instead. */
    private Token requireEnd(Token opening, String endKeyword) {
        if (peek().type() == Type.EOF) {
            throw new ChatTemplateException(opening.offset(), "'" + opening.text() + "' is never closed with '" + endKeyword + "'");
        }
        Token end = peek(1);
        return end;
    }

    private void closeBlock(String endKeyword, Token opening) {
        Token end = requireEnd(opening, endKeyword);
        if (!end.isName(endKeyword)) {
            throw new ChatTemplateException(end.offset(), "expected '" + endKeyword + "' to close '" + opening.text()
                    + "' at offset " + opening.offset() + ", got '" + end.text() + "'");
        }
        next();
        next();
        expect(Type.BLOCK_END, "'%}'");
    }

    // ---- expressions, loosest first ----

    private Expr expression() {
        Expr value = or();
        while (peek().isName("if")) {
            int at = next().offset();
            Expr condition = or();
            Expr otherwise = null;
            if (peek().isName("else")) {
                next();
                otherwise = expression();
            }
            value = new Conditional(condition, value, otherwise, at);
        }
        return value;
    }

    private Expr or() {
        Expr left = and();
        while (peek().isName("or")) {
            Token op = next();
            left = new Binary("or", left, and(), op.offset());
        }
        return left;
    }

    private Expr and() {
        Expr left = not();
        while (peek().isName("and")) {
            Token op = next();
            left = new Binary("and", left, not(), op.offset());
        }
        return left;
    }

    private Expr not() {
        if (peek().isName("not")) {
            Token op = next();
            return new Unary("not", not(), op.offset());
        }
        return compare();
    }

    private Expr compare() {
        Expr left = math1();
        while (true) {
            Token t = peek();
            String op;
            if (t.type() == Type.OP && List.of("==", "!=", "<", ">", "<=", ">=").contains(t.text())) {
                op = next().text();
            } else if (t.isName("in")) {
                op = next().text();
            } else if (t.isName("not") && peek(1).isName("in")) {
                next();
                next();
                op = "not in";
            } else {
                return left;
            }
            left = new Binary(op, left, math1(), t.offset());
        }
    }

    private Expr math1() {
        Expr left = concat();
        while (peek().isOp("+") || peek().isOp("-")) {
            Token op = next();
            left = new Binary(op.text(), left, concat(), op.offset());
        }
        return left;
    }

    private Expr concat() {
        Expr left = math2();
        while (peek().isOp("~")) {
            Token op = next();
            left = new Binary("~", left, math2(), op.offset());
        }
        return left;
    }

    private Expr math2() {
        Expr left = power();
        while (peek().type() == Type.OP && List.of("*", "/", "//", "%").contains(peek().text())) {
            Token op = next();
            left = new Binary(op.text(), left, power(), op.offset());
        }
        return left;
    }

    private Expr power() {
        Expr left = unary(true);
        while (peek().isOp("**")) {
            Token op = next();
            left = new Binary("**", left, unary(true), op.offset());
        }
        return left;
    }

    private Expr unary(boolean withFilters) {
        if (peek().isOp("-") || peek().isOp("+")) {
            Token op = next();
            Expr operand = unary(false);
            Expr value = op.text().equals("-") ? new Unary("-", operand, op.offset()) : operand;
            return withFilters ? filters(value) : value;
        }
        Expr value = postfix(primary());
        return withFilters ? filters(value) : value;
    }

    private Expr primary() {
        Token t = next();
        switch (t.type()) {
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Literal(Boolean.TRUE, t.offset());
                    case "false", "False" -> new Literal(Boolean.FALSE, t.offset());
                    case "none", "None" -> new Literal(null, t.offset());
                    default -> new Name(t.text(), t.offset());
                };
            }
            case STRING -> {
                StringBuilder s = new StringBuilder(t.text());
                while (peek().type() == Type.STRING) { // adjacent literals join, as in Python
                    s.append(next().text());
                }
                return new Literal(s.toString(), t.offset());
            }
            case INT -> {
                return new Literal(Long.parseLong(t.text()), t.offset());
            }
            case FLOAT -> {
                return new Literal(Double.parseDouble(t.text()), t.offset());
            }
            default -> {
            }
        }
        if (t.isOp("(")) {
            Expr inner = expression();
            if (peek().isOp(",")) {
                throw new ChatTemplateException(peek().offset(), "unsupported construct: tuple");
            }
            expect(Type.OP, ")", "')'");
            return inner;
        }
        if (t.isOp("[")) {
            List<Expr> items = new ArrayList<>();
            while (!peek().isOp("]")) {
                items.add(expression());
                if (!peek().isOp("]")) {
                    expect(Type.OP, ",", "',' or ']' in a list");
                }
            }
            next();
            return new ListLiteral(items, t.offset());
        }
        if (t.isOp("{")) {
            List<Expr> keys = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            while (!peek().isOp("}")) {
                keys.add(expression());
                expect(Type.OP, ":", "':' in a dict");
                values.add(expression());
                if (!peek().isOp("}")) {
                    expect(Type.OP, ",", "',' or '}' in a dict");
                }
            }
            next();
            return new DictLiteral(keys, values, t.offset());
        }
        throw new ChatTemplateException(t.offset(), t.type() == Type.VAR_END || t.type() == Type.BLOCK_END
                ? "expected an expression before '" + t.text() + "'" : "unexpected '" + t.text() + "' in an expression");
    }

    private Expr postfix(Expr value) {
        while (true) {
            Token t = peek();
            if (t.isOp(".")) {
                next();
                value = new Attribute(value, expect(Type.NAME, "an attribute name after '.'").text(), t.offset());
            } else if (t.isOp("[")) {
                next();
                value = subscript(value, t.offset());
            } else if (t.isOp("(")) {
                next();
                value = call(value, t.offset());
            } else {
                return value;
            }
        }
    }

    private Expr subscript(Expr target, int offset) {
        Expr start = peek().isOp(":") ? null : expression();
        if (peek().isOp("]")) {
            next();
            if (start == null) {
                throw new ChatTemplateException(offset, "empty subscript '[]'");
            }
            return new Subscript(target, start, offset);
        }
        expect(Type.OP, ":", "']' or ':' in a subscript");
        Expr stop = peek().isOp(":") || peek().isOp("]") ? null : expression();
        Expr step = null;
        if (peek().isOp(":")) {
            next();
            step = peek().isOp("]") ? null : expression();
        }
        expect(Type.OP, "]", "']'");
        return new Slice(target, start, stop, step, offset);
    }

    private Expr call(Expr callee, int offset) {
        if (callee instanceof Name name && !JinjaInterpreter.FUNCTIONS.contains(name.name())) {
            throw new ChatTemplateException(name.offset(), "unsupported function '" + name.name() + "' (supported: "
                    + String.join(", ", JinjaInterpreter.FUNCTIONS) + ")");
        }
        if (!(callee instanceof Name) && !(callee instanceof Attribute)) {
            throw new ChatTemplateException(offset, "unsupported construct: calling something other than a function or method");
        }
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> keywords = new LinkedHashMap<>();
        while (!peek().isOp(")")) {
            if (peek().type() == Type.NAME && peek(1).isOp("=")) {
                String key = next().text();
                next();
                keywords.put(key, expression());
            } else {
                args.add(expression());
            }
            if (!peek().isOp(")")) {
                expect(Type.OP, ",", "',' or ')' in a call");
            }
        }
        next();
        // a function call is located at its name, so raise_exception(...) points at itself
        return new Call(callee, args, keywords, callee instanceof Name ? callee.offset() : offset);
    }

    private Expr filters(Expr value) {
        while (true) {
            Token t = peek();
            if (t.isOp("|")) {
                next();
                Token name = expect(Type.NAME, "a filter name after '|'");
                if (!JinjaInterpreter.FILTERS.contains(name.text())) {
                    throw new ChatTemplateException(name.offset(), "unsupported filter '" + name.text() + "' (supported: "
                            + String.join(", ", JinjaInterpreter.FILTERS) + ")");
                }
                List<Expr> args = new ArrayList<>();
                if (peek().isOp("(")) {
                    next();
                    while (!peek().isOp(")")) {
                        if (peek().type() == Type.NAME && peek(1).isOp("=")) {
                            throw new ChatTemplateException(peek().offset(), "unsupported construct: keyword argument to filter '"
                                    + name.text() + "'");
                        }
                        args.add(expression());
                        if (!peek().isOp(")")) {
                            expect(Type.OP, ",", "',' or ')' in filter arguments");
                        }
                    }
                    next();
                }
                value = new Filter(value, name.text(), args, name.offset());
            } else if (t.isName("is")) {
                next();
                boolean negated = peek().isName("not");
                if (negated) {
                    next();
                }
                Token name = next();
                String test = name.type() == Type.NAME ? name.text() : "";
                if (!JinjaInterpreter.TESTS.contains(test)) {
                    throw new ChatTemplateException(name.offset(), "unsupported test 'is " + name.text() + "' (supported: "
                            + String.join(", ", JinjaInterpreter.TESTS) + ")");
                }
                value = new TestExpr(value, test, negated, name.offset());
            } else {
                return value;
            }
        }
    }

    // ---- tokens ----

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.type() != Type.EOF) {
            pos++;
        }
        return t;
    }

    private Token expect(Type type, String what) {
        Token t = next();
        if (t.type() != type) {
            throw new ChatTemplateException(t.offset(), "expected " + what + ", got " + describe(t));
        }
        return t;
    }

    private void expect(Type type, String text, String what) {
        Token t = next();
        if (!t.is(type, text)) {
            throw new ChatTemplateException(t.offset(), "expected " + what + ", got " + describe(t));
        }
    }

    private static String describe(Token t) {
        return t.type() == Type.EOF ? "the end of the template" : "'" + t.text() + "'";
    }
}
