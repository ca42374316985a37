package org.jalign.data;

import org.jalign.data.JinjaInterpreter.Undefined;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The filters ({@code x | trim}), tests ({@code x is defined}) and methods
 * ({@code content.strip()}) of the chat-template subset, with Python's and Hugging Face's meaning.
 * Pure functions; {@code offset} only locates errors.
 */
final class JinjaFilters {

    private JinjaFilters() {
    }

    static Object filter(String name, Object v, List<Object> args, int offset) {
        switch (name) {
            case "default", "d" -> {
                boolean orFalsy = args.size() > 1 && JinjaValues.truthy(args.get(1));
                return v instanceof Undefined || (orFalsy && !JinjaValues.truthy(v)) ? (args.isEmpty() ? "" : args.get(0)) : v;
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
            case "trim" -> JinjaValues.str(v).strip();
            case "upper" -> JinjaValues.str(v).toUpperCase(Locale.ROOT);
            case "lower" -> JinjaValues.str(v).toLowerCase(Locale.ROOT);
            case "capitalize" -> {
                String s = JinjaValues.str(v);
                yield s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            }
            case "string" -> JinjaValues.str(v);
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
                asList(v, name, offset).forEach(x -> parts.add(JinjaValues.str(x)));
                yield String.join(args.isEmpty() ? "" : JinjaValues.str(args.get(0)), parts);
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
        throw new ChatTemplateException(offset, "filter '" + filter + "' needs a string, list or dict, got " + JinjaValues.typeName(v));
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
        throw new ChatTemplateException(offset, "filter '" + filter + "' needs a sequence, got " + JinjaValues.typeName(v));
    }

    static boolean test(String name, Object v) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> JinjaValues.isNumber(v);
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
            String arg = args.isEmpty() || args.get(0) == null ? null : JinjaValues.str(args.get(0));
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
                    return s.replace(arg, JinjaValues.str(args.get(1)));
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
                        parts.addAll(List.of((Object[]) s.split(Pattern.quote(arg), -1)));
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
                    String key = JinjaValues.str(args.get(0));
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
        throw new ChatTemplateException(offset, "unsupported method '" + name + "' on " + JinjaValues.typeName(target));
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
                toJson(JinjaValues.str(e.getKey()), out, offset);
                out.append(": ");
                toJson(e.getValue(), out, offset);
            }
            out.append('}');
        } else {
            throw new ChatTemplateException(offset, "cannot convert " + JinjaValues.typeName(v) + " to JSON");
        }
    }
}
