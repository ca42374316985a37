package org.jalign.labeling;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.javalin.http.Context;

/** A request's JSON object body, with field readers whose errors name the field and what was expected. */
final class JsonBody {
    private final JsonObject object;

    private JsonBody(JsonObject object) {
        this.object = object;
    }

    static JsonBody of(Context ctx) {
        String text = ctx.body(); // Javalin answers 413 past http.maxRequestSize
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw WebError.badRequest("the request body is not JSON: " + e.getMessage());
        }
        if (!parsed.isJsonObject()) {
            throw WebError.badRequest("the request body must be a JSON object, got " + describe(parsed));
        }
        return new JsonBody(parsed.getAsJsonObject());
    }

    JsonObject object() {
        return object;
    }

    JsonElement optional(String field) {
        JsonElement value = object.get(field);
        return value == null || value.isJsonNull() ? null : value;
    }

    long requiredLong(String field) {
        JsonElement value = optional(field);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            throw WebError.badRequest("field \"" + field + "\" must be an integer, got " + describe(value));
        }
        double number = value.getAsDouble();
        if (number != Math.rint(number)) {
            throw WebError.badRequest("field \"" + field + "\" must be an integer, got " + number);
        }
        return value.getAsLong();
    }

    int requiredInt(String field) {
        long value = requiredLong(field);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw WebError.badRequest("field \"" + field + "\" is out of range: " + value);
        }
        return (int) value;
    }

    boolean requiredBoolean(String field) {
        JsonElement value = optional(field);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isBoolean()) {
            throw WebError.badRequest("field \"" + field + "\" must be true or false, got " + describe(value));
        }
        return value.getAsBoolean();
    }

    boolean optionalBoolean(String field) {
        return optional(field) != null && requiredBoolean(field);
    }

    String requiredString(String field) {
        String value = optionalString(field);
        if (value == null || value.isBlank()) {
            throw WebError.badRequest("field \"" + field + "\" must be a non-blank string");
        }
        return value;
    }

    String optionalString(String field) {
        JsonElement value = optional(field);
        if (value == null) {
            return null;
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw WebError.badRequest("field \"" + field + "\" must be a string, got " + describe(value));
        }
        return value.getAsString();
    }

    static String describe(JsonElement value) {
        if (value == null || value.isJsonNull()) {
            return "nothing";
        }
        if (value.isJsonObject()) {
            return "an object";
        }
        if (value.isJsonArray()) {
            return "an array";
        }
        String text = value.toString();
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
