package org.jalign.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;

import java.util.Optional;

/**
 * Typed access to a field of a JSONL line; every failure names the file, line and field.
 *
 * <p>JSON {@code null} counts as absent: the optional accessors return empty for it and the
 * required ones call it missing.
 */
public final class JsonlFields {

    private JsonlFields() {
    }

    /** The string in {@code field}; fails when it is absent, null or not a string. */
    public static String requireString(JsonlReader.Line line, String field) {
        return optionalString(line, field).orElseThrow(() -> missing(line, field, "a string"));
    }

    /** The string in {@code field}, empty when absent or null; fails when it is another type. */
    public static Optional<String> optionalString(JsonlReader.Line line, String field) {
        JsonElement e = line.object().get(field);
        if (e == null || e.isJsonNull()) {
            return Optional.empty();
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw line.error("field \"" + field + "\" is " + describe(e), "a string");
        }
        return Optional.of(e.getAsString());
    }

    /** The integers in {@code field}; fails unless it is an array of JSON integers (no 1.0, no "1"). */
    public static int[] requireIntArray(JsonlReader.Line line, String field) {
        return optionalIntArray(line, field).orElseThrow(() -> missing(line, field, "an array of integers"));
    }

    /** The integers in {@code field}, empty when absent or null; fails when present but not integers. */
    public static Optional<int[]> optionalIntArray(JsonlReader.Line line, String field) {
        JsonElement e = line.object().get(field);
        if (e == null || e.isJsonNull()) {
            return Optional.empty();
        }
        if (!e.isJsonArray()) {
            throw line.error("field \"" + field + "\" is " + describe(e), "an array of integers");
        }
        JsonArray array = e.getAsJsonArray();
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            JsonElement x = array.get(i);
            Integer value = x.isJsonPrimitive() && x.getAsJsonPrimitive().isNumber() ? parseInt(x.getAsJsonPrimitive()) : null;
            if (value == null) {
                throw line.error("field \"" + field + "\" element " + i + " is " + describe(x), "an array of integers");
            }
            values[i] = value;
        }
        return Optional.of(values);
    }

    /**
     * The integer a JSON number's text spells, or null. Reads the literal text, so {@code 1.0}
     * and {@code 1e2} are refused: a token id written as a float is a bug upstream worth surfacing.
     */
    private static Integer parseInt(JsonPrimitive number) {
        try {
            return Integer.parseInt(number.getAsString());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static DataFormatException missing(JsonlReader.Line line, String field, String expected) {
        boolean isNull = line.object().has(field);
        return line.error("field \"" + field + "\" is " + (isNull ? "null" : "missing"), expected);
    }

    /** A short phrase for a JSON value in a message: {@code a string "abc"}, {@code the number 1.5}. */
    static String describe(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        }
        String text = e.toString();
        if (text.length() > 40) {
            text = text.substring(0, 37) + "...";
        }
        if (e.isJsonObject()) {
            return "an object " + text;
        }
        if (e.isJsonArray()) {
            return "an array " + text;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isString()) {
            return "a string " + text;
        }
        if (p.isBoolean()) {
            return text;
        }
        return "the number " + text;
    }
}
