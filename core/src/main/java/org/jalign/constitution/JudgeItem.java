package org.jalign.constitution;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A prompt and the completions to compare, from a JSONL line in one of the formats the feedback
 * stage reads and writes (other fields, e.g. {@code ranks} or {@code margin}, are ignored: the
 * judge labels afresh):
 * <pre>
 *   {"prompt": "...", "completions": ["...", "...", ...], "prompt_id": "..."}   (import / ranked)
 *   {"prompt": "...", "chosen": "...", "rejected": "...", "prompt_id": "..."}  (pairs)
 * </pre>
 * {@code prompt_id} is optional (else {@code sha256:} + 16 hex digits of the prompt). Completions
 * are non-empty strings, at least two, no two equal (a pair of equal texts has no preference).
 *
 * @param index 0-based line position: seeds this item's principle draws
 */
public record JudgeItem(int index, String promptId, String prompt, List<String> completions) {
    public JudgeItem {
        completions = List.copyOf(completions);
    }

    public static List<JudgeItem> read(Path file) throws IOException {
        try (JsonlReader reader = JsonlReader.open(file)) {
            return read(reader);
        }
    }

    public static List<JudgeItem> read(JsonlReader reader) {
        List<JudgeItem> items = new ArrayList<>();
        for (JsonlReader.Line line : reader) {
            items.add(parse(line, items.size()));
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException(reader.source() + ": no line to judge; expected {\"prompt\", "
                    + "\"completions\": [...]} or {\"prompt\", \"chosen\", \"rejected\"} a line");
        }
        return items;
    }

    private static JudgeItem parse(JsonlReader.Line line, int index) {
        JsonObject o = line.object();
        String prompt = JsonlFields.requireString(line, "prompt");
        String id = JsonlFields.optionalString(line, "prompt_id").orElse(RevisionPrompt.textId(prompt));
        List<String> completions = new ArrayList<>();
        if (o.has("completions") && !o.get("completions").isJsonNull()) {
            JsonElement e = o.get("completions");
            if (!e.isJsonArray()) {
                throw line.error("field \"completions\" is " + e, "an array of at least two non-empty strings");
            }
            JsonArray array = e.getAsJsonArray();
            for (int i = 0; i < array.size(); i++) {
                JsonElement c = array.get(i);
                if (!c.isJsonPrimitive() || !c.getAsJsonPrimitive().isString() || c.getAsString().isEmpty()) {
                    throw line.error("field \"completions\" element " + i + " is " + c, "a non-empty string");
                }
                completions.add(c.getAsString());
            }
        } else if (o.has("chosen") || o.has("rejected")) {
            completions.add(nonEmpty(line, "chosen"));
            completions.add(nonEmpty(line, "rejected"));
        } else {
            throw line.error("the line has neither \"completions\" nor \"chosen\"/\"rejected\"",
                    "{\"prompt\", \"completions\": [...]} or {\"prompt\", \"chosen\", \"rejected\"}");
        }
        if (completions.size() < 2) {
            throw line.error("field \"completions\" has " + completions.size() + " element"
                    + (completions.size() == 1 ? "" : "s"), "at least two completions to compare");
        }
        Set<String> distinct = new HashSet<>(completions);
        if (distinct.size() < completions.size()) {
            throw line.error("two completions are the same text", "distinct completions (equal texts have no preference)");
        }
        return new JudgeItem(index, id, prompt, completions);
    }

    private static String nonEmpty(JsonlReader.Line line, String field) {
        String value = JsonlFields.requireString(line, field);
        if (value.isEmpty()) {
            throw line.error("field \"" + field + "\" is empty", "a non-empty completion");
        }
        return value;
    }
}
