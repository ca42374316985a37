package org.jalign.constitution;

import com.google.gson.JsonElement;
import org.jalign.data.JsonlReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A list of principles, read from JSONL: one principle a line,
 * {@code {"id": "...", "critique": "...", "revision": "...", "judge": "..."}}, every field a
 * non-empty string, ids unique; other fields are ignored. Errors name the file, line and field.
 *
 * <p>{@link #defaults()} is jalign's own: harmlessness, helpfulness and honesty principles written
 * for this project in the spirit of Bai et al. 2022 (Appendix C), not their wording.
 */
public record Constitution(List<Principle> principles) {

    /** What {@code --constitution} takes for {@link #defaults()}. */
    public static final String DEFAULT_NAME = "default";

    private static final String DEFAULT_RESOURCE = "default-constitution.jsonl";
    private static final List<String> FIELDS = List.of("id", "critique", "revision", "judge");

    public Constitution {
        principles = List.copyOf(principles);
        if (principles.isEmpty()) {
            throw new IllegalArgumentException("a constitution needs at least one principle");
        }
        Set<String> ids = new HashSet<>();
        for (Principle p : principles) {
            if (!ids.add(p.id())) {
                throw new IllegalArgumentException("principle id \"" + p.id() + "\" appears twice");
            }
        }
    }

    public int size() {
        return principles.size();
    }

    public Principle get(int index) {
        return principles.get(index);
    }

    /** Reads {@code file}; fails at the first bad line with file, line and field. */
    public static Constitution load(Path file) throws IOException {
        try (JsonlReader reader = JsonlReader.open(file)) {
            return read(reader);
        }
    }

    /** The built-in constitution (a resource of this package, read through the same parser). */
    public static Constitution defaults() {
        try (InputStream in = Constitution.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default constitution resource is missing from the jar");
            }
            return read(JsonlReader.of("default constitution", new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #defaults()} for {@value #DEFAULT_NAME}, else the file. */
    public static Constitution resolve(String fileOrDefault) throws IOException {
        return DEFAULT_NAME.equals(fileOrDefault) ? defaults() : load(Path.of(fileOrDefault));
    }

    /** Every line of {@code reader}. */
    public static Constitution read(JsonlReader reader) {
        List<Principle> principles = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        String source = reader.source();
        for (JsonlReader.Line line : reader) {
            String[] values = new String[FIELDS.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = text(line, FIELDS.get(i));
            }
            if (!ids.add(values[0])) {
                throw line.error("field \"id\" is \"" + values[0] + "\", already used by an earlier line",
                        "a unique principle id");
            }
            principles.add(new Principle(values[0], values[1], values[2], values[3]));
        }
        if (principles.isEmpty()) {
            throw new IllegalArgumentException(source + ": no principle; expected one JSON object a line with "
                    + "\"id\", \"critique\", \"revision\" and \"judge\"");
        }
        return new Constitution(principles);
    }

    private static String text(JsonlReader.Line line, String field) {
        JsonElement e = line.object().get(field);
        if (e == null || e.isJsonNull()) {
            throw line.error("field \"" + field + "\" is " + (e == null ? "missing" : "null"), "a non-empty string");
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            String shown = e.toString().length() > 40 ? e.toString().substring(0, 37) + "..." : e.toString();
            throw line.error("field \"" + field + "\" is " + shown + ", not a string", "a non-empty string");
        }
        if (e.getAsString().isBlank()) {
            throw line.error("field \"" + field + "\" is empty", "a non-empty string");
        }
        return e.getAsString();
    }
}
