package org.jalign.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads a JSONL file one JSON object at a time, in UTF-8, skipping blank lines.
 *
 * <p>Parsing is strict JSON (no comments, unquoted names, single quotes or NaN), so a file that
 * reads here reads in every other JSON tool. A line that is not valid JSON, or valid JSON that is
 * not an object, throws {@link DataFormatException} naming the file and line. Iterate once:
 * {@code for (Line line : reader)}, {@link #stream()} or {@link #readAll()}.
 */
public final class JsonlReader implements AutoCloseable, Iterable<JsonlReader.Line> {

    /** The name used in messages for standard input. */
    public static final String STDIN_NAME = "<stdin>";

    /**
     * One non-blank line and the object on it.
     *
     * @param source     the file as the user named it, so the line alone can report its errors
     * @param lineNumber 1-based, counting blank lines
     */
    public record Line(String source, int lineNumber, JsonObject object) {
        /** An error located at this line. */
        public DataFormatException error(String problem, String expected) {
            return new DataFormatException(source, lineNumber, problem, expected);
        }
    }

    private final String source;
    private final BufferedReader reader;
    private boolean iterated;

    private JsonlReader(String source, Reader reader) {
        this.source = source;
        this.reader = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
    }

    /** Opens {@code file}; malformed UTF-8 is reported, not replaced. */
    public static JsonlReader open(Path file) throws IOException {
        return new JsonlReader(file.toString(), Files.newBufferedReader(file, StandardCharsets.UTF_8));
    }

    /** Opens a path, or standard input when {@code pathOrDash} is {@code -}. */
    public static JsonlReader open(String pathOrDash) throws IOException {
        if ("-".equals(pathOrDash)) {
            // newDecoder() reports malformed input (InputStreamReader(in, charset) would replace it).
            return new JsonlReader(STDIN_NAME, new InputStreamReader(System.in, StandardCharsets.UTF_8.newDecoder()));
        }
        return open(Path.of(pathOrDash));
    }

    /** Reads from {@code reader}, naming it {@code source} in messages (tests, in-memory data). */
    public static JsonlReader of(String source, Reader reader) {
        return new JsonlReader(source, reader);
    }

    /** Reads {@code text}, naming it {@code source} in messages. */
    public static JsonlReader of(String source, String text) {
        return new JsonlReader(source, new StringReader(text));
    }

    /** The file as the user named it, or {@link #STDIN_NAME}. */
    public String source() {
        return source;
    }

    /** All remaining lines, parsed; fails at the first bad one. */
    public List<Line> readAll() {
        List<Line> lines = new ArrayList<>();
        for (Line line : this) {
            lines.add(line);
        }
        return lines;
    }

    public Stream<Line> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    @Override
    public Iterator<Line> iterator() {
        if (iterated) {
            throw new IllegalStateException("a JsonlReader can be iterated only once");
        }
        iterated = true;
        return new Iterator<>() {
            private int lineNumber;
            private Line next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = readNext();
                }
                return next != null;
            }

            @Override
            public Line next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Line line = next;
                next = null;
                return line;
            }

            private Line readNext() {
                while (true) {
                    String text;
                    try {
                        text = reader.readLine();
                    } catch (CharacterCodingException e) {
                        throw new DataFormatException(source, lineNumber + 1, "the bytes are not valid UTF-8",
                                "UTF-8 text");
                    } catch (IOException e) {
                        throw new UncheckedIOException(source + ": " + e.getMessage(), e);
                    }
                    if (text == null) {
                        return null;
                    }
                    lineNumber++;
                    if (lineNumber == 1 && text.startsWith("\uFEFF")) {
                        text = text.substring(1); // a byte-order mark some editors write
                    }
                    if (!text.isBlank()) {
                        return new Line(source, lineNumber, parseObject(text, lineNumber));
                    }
                }
            }
        };
    }

    private JsonObject parseObject(String text, int lineNumber) {
        JsonReader json = new JsonReader(new StringReader(text));
        json.setStrictness(Strictness.STRICT);
        JsonElement element;
        try {
            element = JsonParser.parseReader(json);
        } catch (JsonParseException e) {
            throw new DataFormatException(source, lineNumber, "not valid JSON (" + gsonProblem(e) + ")",
                    "one JSON object per line");
        }
        boolean trailing;
        try {
            trailing = json.peek() != JsonToken.END_DOCUMENT;
        } catch (IOException e) {
            trailing = true; // strict mode refuses a second top-level value outright
        }
        if (trailing) {
            throw new DataFormatException(source, lineNumber, "more than one JSON value on the line",
                    "one JSON object per line");
        }
        if (!element.isJsonObject()) {
            throw new DataFormatException(source, lineNumber, "the line is " + JsonlFields.describe(element)
                    + ", not an object", "one JSON object per line");
        }
        return element.getAsJsonObject();
    }

    /** Gson's message without its own "line 1" (it parsed a single line) or its help link. */
    private static String gsonProblem(Exception e) {
        Throwable t = e.getCause() != null ? e.getCause() : e; // Gson wraps the reader's exception
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        message = message.lines().findFirst().orElse(message);
        return message.replaceAll(" at line \\d+ column (\\d+) path \\S*", " at column $1");
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
