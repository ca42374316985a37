package org.jalign.data;

import org.jalign.data.JinjaInterpreter.Namespace;
import org.jalign.data.JinjaInterpreter.Undefined;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's meaning of the values a template computes with: truth, {@code str()}, {@code repr()},
 * operators and slices ({@link JinjaFilters} has the filters, tests and methods). Pure functions;
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

    static boolean isNumber(Object v) {
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
}
