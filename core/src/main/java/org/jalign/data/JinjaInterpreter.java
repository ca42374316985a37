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

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a parsed template. Values are plain Java objects with Python's meaning: {@link String},
 * {@link Long}, {@link Double}, {@link Boolean}, {@code null} (none), {@link List},
 * {@link Map} (dicts, messages, {@code loop}), {@link Namespace} and {@link Undefined}.
 *
 * <p>Semantics follow Jinja2's defaults as Hugging Face uses them: an unknown name or missing key
 * is undefined (falsy, renders as nothing, fails when you look inside it); {@code for} bodies
 * get their own scope, so a {@code set} inside a loop does not outlive the iteration (hence
 * {@code namespace()}); {@code and}/{@code or} return an operand, as in Python; {@code +} of a
 * string and a number is an error, {@code ~} converts both sides to strings.
 */
final class JinjaInterpreter {

    static final List<String> FUNCTIONS = List.of("namespace", "raise_exception", "range");
    static final List<String> FILTERS = List.of("capitalize", "count", "d", "default", "first", "join", "last",
            "length", "list", "lower", "reverse", "safe", "string", "tojson", "trim", "upper");
    static final List<String> TESTS = List.of("boolean", "defined", "even", "false", "integer", "iterable",
            "mapping", "none", "number", "odd", "sequence", "string", "true", "undefined");

    /** A name or key that is not there; {@code what} says which, for error messages. */
    record Undefined(String what) {
    }

    /** {@code namespace(...)}: the one mutable object, so loops can carry state out (Jinja 2.10+). */
    static final class Namespace {
        final Map<String, Object> attributes = new LinkedHashMap<>();
    }

    private final Deque<Map<String, Object>> scopes = new ArrayDeque<>();
    private final StringBuilder out = new StringBuilder();

    private JinjaInterpreter(Map<String, Object> context) {
        scopes.push(new HashMap<>(context));
    }

    static String render(List<Node> template, Map<String, Object> context) {
        JinjaInterpreter interpreter = new JinjaInterpreter(context);
        interpreter.run(template);
        return interpreter.out.toString();
    }

    // ---- statements ----

    private void run(List<Node> nodes) {
        for (Node node : nodes) {
            if (node instanceof Text t) {
                out.append(t.text());
            } else if (node instanceof Output o) {
                out.append(str(eval(o.value())));
            } else if (node instanceof If i) {
                runIf(i);
            } else if (node instanceof For f) {
                runFor(f);
            } else if (node instanceof JinjaAst.Set s) {
                runSet(s);
            }
        }
    }

    private void runIf(If node) {
        for (Branch branch : node.branches()) {
            if (truthy(eval(branch.condition()))) {
                run(branch.body());
                return;
            }
        }
        run(node.otherwise());
    }

    private void runFor(For node) {
        List<Object> items = iterate(eval(node.iterable()), node.iterable().offset());
        for (int i = 0; i < items.size(); i++) {
            Map<String, Object> loop = new HashMap<>();
            loop.put("index0", (long) i);
            loop.put("index", (long) i + 1);
            loop.put("revindex0", (long) (items.size() - 1 - i));
            loop.put("revindex", (long) (items.size() - i));
            loop.put("first", i == 0);
            loop.put("last", i == items.size() - 1);
            loop.put("length", (long) items.size());
            loop.put("previtem", i > 0 ? items.get(i - 1) : new Undefined("loop.previtem"));
            loop.put("nextitem", i + 1 < items.size() ? items.get(i + 1) : new Undefined("loop.nextitem"));
            Map<String, Object> scope = new HashMap<>();
            scope.put(node.variable(), items.get(i));
            scope.put("loop", loop);
            scopes.push(scope);
            try {
                run(node.body());
            } finally {
                scopes.pop();
            }
        }
    }

    private void runSet(JinjaAst.Set node) {
        Object value = eval(node.value());
        if (node.attribute() == null) {
            scopes.peek().put(node.name(), value);
            return;
        }
        if (!(lookup(node.name()) instanceof Namespace ns)) {
            throw new ChatTemplateException(node.offset(), "'set " + node.name() + "." + node.attribute()
                    + "' needs " + node.name() + " to be a namespace()");
        }
        ns.attributes.put(node.attribute(), value);
    }

    private Object lookup(String name) {
        for (Map<String, Object> scope : scopes) {
            if (scope.containsKey(name)) {
                return scope.get(name);
            }
        }
        return new Undefined("'" + name + "'");
    }

    // ---- expressions ----

    private Object eval(Expr e) {
        if (e instanceof Literal l) {
            return l.value();
        } else if (e instanceof Name n) {
            return lookup(n.name());
        } else if (e instanceof ListLiteral l) {
            List<Object> items = new ArrayList<>();
            l.items().forEach(x -> items.add(eval(x)));
            return items;
        } else if (e instanceof DictLiteral d) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < d.keys().size(); i++) {
                map.put(str(eval(d.keys().get(i))), eval(d.values().get(i)));
            }
            return map;
        } else if (e instanceof Attribute a) {
            return member(eval(a.target()), a.name(), a.offset());
        } else if (e instanceof Subscript s) {
            return subscript(eval(s.target()), eval(s.index()), s.offset());
        } else if (e instanceof Slice s) {
            return JinjaValues.slice(eval(s.target()), s.start() == null ? null : eval(s.start()),
                    s.stop() == null ? null : eval(s.stop()), s.step() == null ? null : eval(s.step()), s.offset());
        } else if (e instanceof Call c) {
            return call(c);
        } else if (e instanceof Filter f) {
            List<Object> args = new ArrayList<>();
            f.args().forEach(x -> args.add(eval(x)));
            return JinjaFilters.filter(f.name(), eval(f.value()), args, f.offset());
        } else if (e instanceof TestExpr t) {
            return JinjaFilters.test(t.name(), eval(t.value())) != t.negated();
        } else if (e instanceof Unary u) {
            Object operand = eval(u.operand());
            return u.operator().equals("not") ? !truthy(operand) : JinjaValues.negate(operand, u.offset());
        } else if (e instanceof Binary b) {
            return binary(b);
        } else if (e instanceof Conditional c) {
            if (truthy(eval(c.condition()))) {
                return eval(c.then());
            }
            return c.otherwise() == null ? new Undefined("the else branch") : eval(c.otherwise());
        }
        throw new IllegalStateException("unknown expression " + e);
    }

    private Object binary(Binary b) {
        Object left = eval(b.left());
        switch (b.operator()) {
            case "and" -> {
                return truthy(left) ? eval(b.right()) : left;
            }
            case "or" -> {
                return truthy(left) ? left : eval(b.right());
            }
            default -> {
                return JinjaValues.operate(b.operator(), left, eval(b.right()), b.offset());
            }
        }
    }

    private Object member(Object target, String name, int offset) {
        if (target instanceof Namespace ns) {
            return ns.attributes.containsKey(name) ? ns.attributes.get(name) : new Undefined("namespace attribute '" + name + "'");
        }
        if (target instanceof Map<?, ?>) {
            return subscript(target, name, offset);
        }
        if (target instanceof Undefined u) {
            throw new ChatTemplateException(offset, u.what() + " is undefined, so it has no attribute '" + name + "'");
        }
        return new Undefined(JinjaValues.typeName(target) + " attribute '" + name + "'");
    }

    private Object subscript(Object target, Object index, int offset) {
        if (target instanceof Undefined u) {
            throw new ChatTemplateException(offset, u.what() + " is undefined, so it cannot be subscripted with "
                    + JinjaValues.repr(index));
        }
        if (target instanceof Map<?, ?> map) {
            String key = str(index);
            return map.containsKey(key) ? map.get(key) : new Undefined("key " + JinjaValues.repr(index));
        }
        if (target instanceof Namespace ns) {
            return member(ns, str(index), offset);
        }
        if ((target instanceof List<?> || target instanceof String) && index instanceof Long i) {
            int size = target instanceof List<?> l ? l.size() : ((String) target).length();
            long at = i < 0 ? i + size : i;
            if (at < 0 || at >= size) {
                return new Undefined("index " + i + " of a " + JinjaValues.typeName(target) + " of length " + size);
            }
            return target instanceof List<?> l ? l.get((int) at) : String.valueOf(((String) target).charAt((int) at));
        }
        throw new ChatTemplateException(offset, "cannot subscript " + JinjaValues.typeName(target) + " with "
                + JinjaValues.typeName(index));
    }

    private Object call(Call c) {
        List<Object> args = new ArrayList<>();
        c.args().forEach(x -> args.add(eval(x)));
        if (c.callee() instanceof Attribute method) {
            if (!c.keywords().isEmpty()) {
                throw new ChatTemplateException(c.offset(), "keyword arguments to method '" + method.name() + "' are not supported");
            }
            return JinjaFilters.method(eval(method.target()), method.name(), args, method.offset());
        }
        String function = ((Name) c.callee()).name();
        switch (function) {
            case "raise_exception" -> throw new ChatTemplateException(c.offset(), "the template raised an error: "
                    + (args.isEmpty() ? "" : str(args.get(0))));
            case "namespace" -> {
                Namespace ns = new Namespace();
                c.keywords().forEach((k, v) -> ns.attributes.put(k, eval(v)));
                return ns;
            }
            case "range" -> {
                if (args.isEmpty() || args.size() > 2 || !args.stream().allMatch(a -> a instanceof Long)) {
                    throw new ChatTemplateException(c.offset(), "range() takes one or two integers");
                }
                long from = args.size() == 2 ? (Long) args.get(0) : 0;
                long to = (Long) args.get(args.size() - 1);
                List<Object> values = new ArrayList<>();
                for (long i = from; i < to; i++) {
                    values.add(i);
                }
                return values;
            }
            default -> throw new IllegalStateException("the parser admitted function " + function);
        }
    }

    private static List<Object> iterate(Object value, int offset) {
        if (value instanceof Undefined) {
            return List.of(); // Jinja's default Undefined iterates as empty
        }
        if (value instanceof List<?> list) {
            return Collections.unmodifiableList(new ArrayList<>(list));
        }
        if (value instanceof Map<?, ?> map) {
            return new ArrayList<>(map.keySet());
        }
        if (value instanceof String s) {
            List<Object> chars = new ArrayList<>();
            s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
            return chars;
        }
        throw new ChatTemplateException(offset, "cannot iterate over " + JinjaValues.typeName(value));
    }

    static boolean truthy(Object v) {
        return JinjaValues.truthy(v);
    }

    static String str(Object v) {
        return JinjaValues.str(v);
    }
}
