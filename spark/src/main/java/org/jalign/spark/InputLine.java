package org.jalign.spark;

import com.google.gson.JsonObject;
import org.jalign.data.DataFormatException;
import org.jalign.data.JsonlReader;

import java.io.Serializable;

/**
 * One non-blank line of a JSONL input as Spark carries it: the file, the 1-based line number in
 * that file, the text, and the line's index among all non-blank lines of the whole input (the
 * prompt index {@code jalign generate} would give it).
 *
 * <p>The text travels unparsed (Gson's objects are not serializable); {@link #parse()} applies
 * {@link JsonlReader}'s strict rules on the executor and names this file and line on failure.
 */
record InputLine(String source, int lineNumber, String text, long index) implements Serializable {

    InputLine withIndex(long newIndex) {
        return new InputLine(source, lineNumber, text, newIndex);
    }

    /** The line's object, as {@link JsonlReader} reads it, located at this file and line. */
    JsonlReader.Line parse() {
        try (JsonlReader reader = JsonlReader.of(source, text)) {
            JsonObject object = reader.readAll().get(0).object();   // non-blank, so exactly one line
            return new JsonlReader.Line(source, lineNumber, object);
        } catch (DataFormatException e) {
            throw relocated(e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("reading a string cannot fail", e);
        }
    }

    /** An error JsonlReader reported at "line 1" of this single-line text, moved to the file's real line. */
    private DataFormatException relocated(DataFormatException e) {
        String prefix = source + " line " + e.lineNumber() + ": ";
        String rest = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
        int expectedAt = rest.lastIndexOf("; expected ");
        String problem = expectedAt < 0 ? rest : rest.substring(0, expectedAt);
        String expected = expectedAt < 0 ? "one JSON object per line" : rest.substring(expectedAt + "; expected ".length());
        return new DataFormatException(source, lineNumber, problem, expected);
    }
}
