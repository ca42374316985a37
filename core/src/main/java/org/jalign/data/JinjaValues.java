package org.jalign.data;

import org.jalign.data.JinjaInterpreter.Namespace;
import org.jalign.data.JinjaInterpreter.Undefined;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Python's meaning of the values a template computes with: truth, {@code str()}, {@code repr()},
 * operators, and the filters, tests and methods the chat-template subset supports. Pure functions;
 * {@code offset} only locates errors.
 */
final class JinjaValues {

    private JinjaValues() {
    }

    static boolean truthy(Object v) {
        if (v == null || v instanceof Undefined) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Python's {@code str()}; undefined is the empty string, as Jinja prints it. */
    static String str(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Undefined) {
            return "";
        }
        return repr(v);
    }

    /** Python's {@code repr()}: how lists and dicts print their items. */
    static String repr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof String s) {
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'";
        }
        if (v instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            list.forEach(x -> items.add(repr(x)));
            return "[" + String.join(", ", items) + "]";
        }
        if (v instanceof Map<?, ?> map) {
            List<String> items = new ArrayList<>();
            map.forEach((k, x) -> items.add(repr(k) + ": " + repr(x)));
            return "{" + String.join(", ", items) + "}";
        }
        if (v instanceof Namespace ns) {
            return "<Namespace " + ns.attributes.keySet() + ">";
        }
        if (v instanceof Undefined) {
            return "";
        }
        return String.valueOf(v);
    }

    static String typeName(Object v) {
        if (v == null) {
            return "none";
        }
        if (v instanceof Undefined u) {
            return "undefined (" + u.what() + ")";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Long || v instanceof Double) {
            return "a number";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        if (v instanceof Map<?, ?>) {
            return "a dict";
        }
        return "a namespace";
    }

    // ---- operators ----

    static Object operate(String op, Object a, Object b, int offset) {
        switch (op) {
            case "==" -> {
                return same(a, b);
            }
            case "!=" -> {
                return !same(a, b);
            }
            case "in", "not in" -> {
                return contains(b, a, offset) == op.equals("in");
            }
            case "~" -> {
                return str(a) + str(b);
            }
            case "<", ">", "<=", ">=" -> {
                int c = compare(a, b, op, offset);
                return switch (op) {
                    case "<" -> c < 0;
                    case ">" -> c > 0;
                    case "<=" -> c <= 0;
                    default -> c >= 0;
                };
            }
            case "+" -> {
                if (a instanceof String x && b instanceof String y) {
                    return x + y;
                }
                if (a instanceof List<?> x && b instanceof List<?> y) {
                    List<Object> joined = new ArrayList<>(x);
                    joined.addAll(y);
                    return joined;
                }
            }
            case "*" -> {
                if (a instanceof String s && b instanceof Long n) {
                    return s.repeat((int) Math.max(0, n));
                }
            }
            default -> {
            }
        }
        if (isNumber(a) && isNumber(b)) {
            return arithmetic(op, a, b, offset);
        }
        throw new ChatTemplateException(offset, "unsupported operands for '" + op + "': " + typeName(a) + " and " + typeName(b)
                + (op.equals("+") ? " (use '~' to join values as strings)" : ""));
    }

    private static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double;
    }

    private static Object arithmetic(String op, Object a, Object b, int offset) {
        if (a instanceof Long x && b instanceof Long y && !op.equals("/")) {
            if ((op.equals("//") || op.equals("%")) && y == 0) {
                throw new ChatTemplateException(offset, "integer division or modulo by zero");
            }
            return switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "//" -> Math.floorDiv(x, y);
                case "%" -> Math.floorMod(x, y); // Python's modulo takes the divisor's sign
                case "**" -> (long) Math.pow(x, y);
                default -> throw new ChatTemplateException(offset, "unsupported operator '" + op + "'");
            };
        }
        double x = ((Number) a).doubleValue();
        double y = ((Number) b).doubleValue();
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "/" -> x / y;
            case "//" -> Math.floor(x / y);
            case "%" -> x - y * Math.floor(x / y);
            case "**" -> Math.pow(x, y);
            default -> throw new ChatTemplateException(offset, "unsupported operator '" + op + "'");
        };
    }

    /** Python equality: 1 == 1.0, and nothing equals an undefined but another undefined. */
    static boolean same(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            return ((Number) a).doubleValue() == ((Number) b).doubleValue();
        }
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!same(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a == null ? b == null : a.equals(b);
    }

    private static int compare(Object a, Object b, String op, int offset) {
        if (isNumber(a) && isNumber(b)) {
            return Double.compare(((Number) a).doubleValue(), ((Number) b).doubleValue());
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        throw new ChatTemplateException(offset, "cannot compare " + typeName(a) + " " + op + " " + typeName(b));
    }

    private static boolean contains(Object container, Object item, int offset) {
        if (container instanceof String s && item instanceof String x) {
            return s.contains(x);
        }
        if (container instanceof List<?> list) {
            return list.stream().anyMatch(x -> same(x, item));
        }
        if (container instanceof Map<?, ?> map) {
            return map.containsKey(str(item));
        }
        if (container instanceof Namespace ns) {
            return ns.attributes.containsKey(str(item));
        }
        throw new ChatTemplateException(offset, "cannot test 'in' on " + typeName(container) + " for " + typeName(item));
    }

    static Object negate(Object v, int offset) {
        if (v instanceof Long l) {
            return -l;
        }
        if (v instanceof Double d) {
            return -d;
        }
        throw new ChatTemplateException(offset, "cannot negate " + typeName(v));
    }

    static Object slice(Object target, Object start, Object stop, Object step, int offset) {
        int size;
        if (target instanceof List<?> l) {
            size = l.size();
        } else if (target instanceof String s) {
            size = s.length();
        } else {
            throw new ChatTemplateException(offset, "cannot slice " + typeName(target));
        }
        long by = step == null ? 1 : integer(step, "slice step", offset);
        if (by != 1 && by != -1) {
            throw new ChatTemplateException(offset, "slice steps other than 1 and -1 are not supported");
        }
        List<Integer> indices = new ArrayList<>();
        if (by == 1) {
            int from = clamp(start == null ? 0 : integer(start, "slice start", offset), size);
            int to = clamp(stop == null ? size : integer(stop, "slice stop", offset), size);
            for (int i = from; i < to; i++) {
                indices.add(i);
            }
        } else {
            if (start != null || stop != null) {
                throw new ChatTemplateException(offset, "only [::-1] is supported among reversed slices");
            }
            for (int i = size - 1; i >= 0; i--) {
                indices.add(i);
            }
        }
        if (target instanceof String s) {
            StringBuilder b = new StringBuilder();
            indices.forEach(i -> b.append(s.charAt(i)));
            return b.toString();
        }
        List<Object> items = new ArrayList<>();
        indices.forEach(i -> items.add(((List<?>) target).get(i)));
        return items;
    }

    private static int clamp(long index, int size) {
        long i = index < 0 ? index + size : index;
        return (int) Math.max(0, Math.min(size, i));
    }

    private static long integer(Object v, String what, int offset) {
        if (v instanceof Long l) {
            return l;
        }
        throw new ChatTemplateException(offset, what + " must be an integer, got " + typeName(v));
    }

    // ---- filters, tests, methods ----

    static Object filter(String name, Object v, List<Object> args, int offset) {
        switch (name) {
            case "default", "d" -> {
                boolean orFalsy = args.size() > 1 && truthy(args.get(1));
                return v instanceof Undefined || (orFalsy && !truthy(v)) ? (args.isEmpty() ? "" : args.get(0)) : v;
            }
            case "safe" -> {
                return v; // no autoescaping in chat templates, so nothing to mark safe
            }
            case "tojson" -> {
                if (!args.isEmpty()) {
                    throw new ChatTemplateException(offset, "arguments to 'tojson' are not supported");
                }
                StringBuilder json = new StringBuilder();
                toJson(v, json, offset);
                return json.toString();
            }
            default -> {
            }
        }
        if (v instanceof Undefined u) {
            throw new ChatTemplateException(offset, "filter '" + name + "' applied to " + u.what() + ", which is undefined");
        }
        return switch (name) {
            case "trim" -> str(v).strip();
            case "upper" -> str(v).toUpperCase(Locale.ROOT);
            case "lower" -> str(v).toLowerCase(Locale.ROOT);
            case "capitalize" -> {
                String s = str(v);
                yield s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            }
            case "string" -> str(v);
            case "length", "count" -> (long) size(v, name, offset);
            case "first", "last" -> {
                List<Object> items = asList(v, name, offset);
                yield items.isEmpty() ? new Undefined("the " + name + " item of an empty sequence")
                        : items.get(name.equals("first") ? 0 : items.size() - 1);
            }
            case "list" -> asList(v, name, offset);
            case "reverse" -> {
                if (v instanceof String s) {
                    yield new StringBuilder(s).reverse().toString();
                }
                List<Object> items = new ArrayList<>(asList(v, name, offset));
                Collections.reverse(items);
                yield items;
            }
            case "join" -> {
                List<String> parts = new ArrayList<>();
                asList(v, name, offset).forEach(x -> parts.add(str(x)));
                yield String.join(args.isEmpty() ? "" : str(args.get(0)), parts);
            }
            default -> throw new IllegalStateException("the parser admitted filter " + name);
        };
    }

    private static int size(Object v, String filter, int offset) {
        if (v instanceof String s) {
            return s.length();
        }
        if (v instanceof List<?> l) {
            return l.size();
        }
        if (v instanceof Map<?, ?> m) {
            return m.size();
        }
        throw new ChatTemplateException(offset, "filter '" + filter + "' needs a string, list or dict, got " + typeName(v));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object v, String filter, int offset) {
        if (v instanceof List<?> l) {
            return (List<Object>) l;
        }
        if (v instanceof String s) {
            List<Object> chars = new ArrayList<>();
            s.chars().forEach(c -> chars.add(String.valueOf((char) c)));
            return chars;
        }
        if (v instanceof Map<?, ?> m) {
            return new ArrayList<>(m.keySet());
        }
        throw new ChatTemplateException(offset, "filter '" + filter + "' needs a sequence, got " + typeName(v));
    }

    static boolean test(String name, Object v) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> isNumber(v);
            case "integer" -> v instanceof Long;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map<?, ?>;
            case "sequence", "iterable" -> v instanceof List<?> || v instanceof String || v instanceof Map<?, ?>;
            case "even" -> v instanceof Long l && l % 2 == 0;
            case "odd" -> v instanceof Long l && l % 2 != 0;
            default -> throw new IllegalStateException("the parser admitted test " + name);
        };
    }

    /** The string methods chat templates call ({@code content.strip()}) and {@code dict.get}. */
    static Object method(Object target, String name, List<Object> args, int offset) {
        if (target instanceof String s) {
            String arg = args.isEmpty() || args.get(0) == null ? null : str(args.get(0));
            switch (name) {
                case "strip", "lstrip", "rstrip" -> {
                    return strip(s, arg, !name.equals("rstrip"), !name.equals("lstrip"));
                }
                case "upper" -> {
                    return s.toUpperCase(Locale.ROOT);
                }
                case "lower" -> {
                    return s.toLowerCase(Locale.ROOT);
                }
                case "startswith", "endswith" -> {
                    requireArgs(name, args, 1, offset);
                    return name.equals("startswith") ? s.startsWith(arg) : s.endsWith(arg);
                }
                case "replace" -> {
                    requireArgs(name, args, 2, offset);
                    return s.replace(arg, str(args.get(1)));
                }
                case "split" -> {
                    List<Object> parts = new ArrayList<>();
                    if (arg == null) {
                        for (String p : s.strip().split("\\s+")) {
                            if (!p.isEmpty()) {
                                parts.add(p);
                            }
                        }
                    } else {
                        parts.addAll(List.of((Object[]) s.split(java.util.regex.Pattern.quote(arg), -1)));
                    }
                    return parts;
                }
                default -> {
                }
            }
        } else if (target instanceof Map<?, ?> map) {
            switch (name) {
                case "get" -> {
                    requireArgs(name, args, 1, offset);
                    String key = str(args.get(0));
                    return map.containsKey(key) ? map.get(key) : args.size() > 1 ? args.get(1) : null;
                }
                case "keys" -> {
                    return new ArrayList<Object>(map.keySet());
                }
                case "values" -> {
                    return new ArrayList<Object>(map.values());
                }
                default -> {
                }
            }
        } else if (target instanceof Undefined u) {
            throw new ChatTemplateException(offset, u.what() + " is undefined, so it has no method '" + name + "'");
        }
        throw new ChatTemplateException(offset, "unsupported method '" + name + "' on " + typeName(target));
    }

    private static void requireArgs(String method, List<Object> args, int n, int offset) {
        if (args.size() < n) {
            throw new ChatTemplateException(offset, "method '" + method + "' needs " + n + " argument(s)");
        }
    }

    /** Python's strip family: whitespace, or any of {@code chars}. */
    private static String strip(String s, String chars, boolean left, boolean right) {
        int from = 0;
        int to = s.length();
        while (left && from < to && strippable(s.charAt(from), chars)) {
            from++;
        }
        while (right && to > from && strippable(s.charAt(to - 1), chars)) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    /**
     * {@code json.dumps(v, ensure_ascii=False)}: the {@code tojson} Hugging Face installs in its
     * chat-template environment (separators {@code ", "} and {@code ": "}, keys in insertion order,
     * no HTML escaping, unlike Jinja's own tojson).
     */
    private static void toJson(Object v, StringBuilder out, int offset) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Long || v instanceof Double) {
            out.append(v);
        } else if (v instanceof String s) {
            out.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
                }
            }
            out.append('"');
        } else if (v instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ", ");
                toJson(list.get(i), out, offset);
            }
            out.append(']');
        } else if (v instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(first ? "" : ", ");
                first = false;
                toJson(str(e.getKey()), out, offset);
                out.append(": ");
                toJson(e.getValue(), out, offset);
            }
            out.append('}');
        } else {
            throw new ChatTemplateException(offset, "cannot convert " + typeName(v) + " to JSON");
        }
    }
}
