package org.jalign.data;

import java.util.List;
import java.util.Map;

/**
 * The syntax tree of the Jinja2 subset that chat templates use. Every node keeps the offset of
 * its first character in the template source, so runtime errors can point at it.
 */
final class JinjaAst {

    private JinjaAst() {
    }

    /** A statement: what a template is a list of. */
    sealed interface Node permits Text, Output, For, If, Set {
    }

    /** Literal text between tags. */
    record Text(String text) implements Node {
    }

    /** {@code {{ expr }}}. */
    record Output(Expr value) implements Node {
    }

    /** {@code {% for variable in iterable %} body {% endfor %}}. */
    record For(String variable, Expr iterable, List<Node> body, int offset) implements Node {
    }

    /** {@code {% if %}}, its {@code elif}s as further branches, then {@code else}. */
    record If(List<Branch> branches, List<Node> otherwise) implements Node {
    }

    record Branch(Expr condition, List<Node> body) {
    }

    /** {@code {% set name = value %}}, or {@code {% set name.attribute = value %}} on a namespace. */
    record Set(String name, String attribute, Expr value, int offset) implements Node {
    }

    /** An expression. */
    sealed interface Expr permits Literal, Name, ListLiteral, DictLiteral, Attribute, Subscript, Slice, Call,
            Filter, TestExpr, Unary, Binary, Conditional {
        int offset();
    }

    /** A string, number, boolean or none. */
    record Literal(Object value, int offset) implements Expr {
    }

    record Name(String name, int offset) implements Expr {
    }

    record ListLiteral(List<Expr> items, int offset) implements Expr {
    }

    record DictLiteral(List<Expr> keys, List<Expr> values, int offset) implements Expr {
    }

    /** {@code target.name}. */
    record Attribute(Expr target, String name, int offset) implements Expr {
    }

    /** {@code target[index]}. */
    record Subscript(Expr target, Expr index, int offset) implements Expr {
    }

    /** {@code target[start:stop:step]}; absent parts are null. */
    record Slice(Expr target, Expr start, Expr stop, Expr step, int offset) implements Expr {
    }

    /** {@code callee(args, name=value)}: a global function or, on an Attribute, a method. */
    record Call(Expr callee, List<Expr> args, Map<String, Expr> keywords, int offset) implements Expr {
    }

    /** {@code value | name(args)}. */
    record Filter(Expr value, String name, List<Expr> args, int offset) implements Expr {
    }

    /** {@code value is [not] name}: a Jinja "test" (not named Test, which the build reserves for test classes). */
    record TestExpr(Expr value, String name, boolean negated, int offset) implements Expr {
    }

    /** {@code not x}, {@code -x}. */
    record Unary(String operator, Expr operand, int offset) implements Expr {
    }

    /** Arithmetic, concatenation, comparison, {@code in}/{@code not in}, {@code and}/{@code or}. */
    record Binary(String operator, Expr left, Expr right, int offset) implements Expr {
    }

    /** {@code then if condition else otherwise}; {@code otherwise} null when absent (undefined). */
    record Conditional(Expr condition, Expr then, Expr otherwise, int offset) implements Expr {
    }
}
