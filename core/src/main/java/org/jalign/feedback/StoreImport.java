package org.jalign.feedback;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads {@code feedback import} JSONL into prompts to store, checking every line before anything is
 * written. One line per prompt:
 *
 * <pre>{@code
 * {"prompt": "...", "completions": ["...", "..."],            required; 2 or more are ranked, 1 is a thumbs item
 *  "prompt_id": "p17",                                          optional; else derived from the text
 *  "model": "org/model", "sampling": {"temperature": 0.7},      optional, for every completion
 *  "criterion": "helpfulness",                                  optional; must be the set's
 *  "gold_ranks": [1, 2, "flag"]}                                optional; makes it a gold item
 * }</pre>
 *
 * A completion may also be an object {@code {"text": "...", "model": "...", "sampling": {...}}}.
 * Every error names the file, line and field (via {@link JsonlReader.Line#error}).
 */
final class StoreImport {
    private StoreImport() {
    }

    /** A prompt to store and the line it came from, so later checks can still name the line. */
    record Row(JsonlReader.Line line, FeedbackStore.NewPrompt prompt) {
    }

    /** Reads and checks every line; {@code setCriterion} is the set's criterion name. */
    static List<Row> read(JsonlReader reader, String setName, String setCriterion) {
        List<Row> rows = new ArrayList<>();
        Map<String, Integer> firstLineOfId = new HashMap<>();
        for (JsonlReader.Line line : reader) {
            FeedbackStore.NewPrompt prompt = parse(line, setName, setCriterion);
            Integer earlier = firstLineOfId.putIfAbsent(prompt.externalId(), line.lineNumber());
            if (earlier != null) {
                throw line.object().has("prompt_id")
                        ? line.error("field \"prompt_id\" \"" + prompt.externalId() + "\" repeats line " + earlier,
                        "a prompt id unique within the file")
                        : line.error("field \"prompt\" repeats the prompt of line " + earlier
                        + " (without \"prompt_id\" the id is derived from the prompt text)", "each prompt once");
            }
            rows.add(new Row(line, prompt));
        }
        return rows;
    }

    private static FeedbackStore.NewPrompt parse(JsonlReader.Line line, String setName, String setCriterion) {
        String text = JsonlFields.requireString(line, "prompt");
        if (text.isBlank()) {
            throw line.error("field \"prompt\" is blank", "the prompt text");
        }
        String externalId = JsonlFields.optionalString(line, "prompt_id")
                .orElseGet(() -> FeedbackStore.derivedPromptId(text));
        if (externalId.isBlank()) {
            throw line.error("field \"prompt_id\" is blank", "a non-blank prompt id, or no \"prompt_id\" field");
        }
        JsonlFields.optionalString(line, "criterion").ifPresent(name -> {
            String upper = name.toUpperCase(Locale.ROOT);
            if (!FeedbackStore.CRITERIA.contains(upper)) {
                throw line.error("field \"criterion\" is \"" + name + "\", not a known criterion",
                        "one of " + FeedbackStore.criteriaForMessages());
            }
            if (!upper.equals(setCriterion)) {
                throw line.error("field \"criterion\" is \"" + name + "\" but set \"" + setName + "\" is judged on "
                        + setCriterion.toLowerCase(Locale.ROOT), "\"" + setCriterion.toLowerCase(Locale.ROOT)
                        + "\" or no \"criterion\" field (import each criterion into its own set)");
            }
        });
        String model = JsonlFields.optionalString(line, "model").orElse(null);
        String sampling = optionalObject(line, line.object(), "sampling", "\"sampling\"");

        JsonElement completionsField = line.object().get("completions");
        if (completionsField == null || completionsField.isJsonNull()) {
            throw line.error("field \"completions\" is " + (completionsField == null ? "missing" : "null"),
                    "an array of completions (1 for thumbs up/down, 2 or more to rank)");
        }
        if (!completionsField.isJsonArray()) {
            throw line.error("field \"completions\" is not an array", "an array of completions (1 for thumbs up/down, 2 or more to rank)");
        }
        JsonArray array = completionsField.getAsJsonArray();
        if (array.isEmpty()) {
            throw line.error("field \"completions\" is empty",
                    "1 completion (a thumbs-up/down item) or 2 or more to rank");
        }
        List<FeedbackStore.NewCompletion> completions = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            completions.add(completion(line, array.get(i), i, model, sampling));
        }
        StoredRanking gold = gold(line, array.size());
        if (gold != null && array.size() < 2) {
            throw line.error("field \"gold_ranks\" is given, but the prompt has a gold ranking but only 1 completion",
                    "gold items with 2 or more completions (a single completion is a thumbs item)");
        }
        return new FeedbackStore.NewPrompt(externalId, text, completions, gold);
    }

    private static FeedbackStore.NewCompletion completion(JsonlReader.Line line, JsonElement element, int index,
                                                          String model, String sampling) {
        String field = "field \"completions\" element " + index;
        if (element.isJsonPrimitive() && element.getAsJsonPrimitive().isString()) {
            return new FeedbackStore.NewCompletion(element.getAsString(), model, sampling);
        }
        if (!element.isJsonObject()) {
            throw line.error(field + " is " + kind(element), "a string or an object with a \"text\" string");
        }
        JsonObject object = element.getAsJsonObject();
        JsonElement text = object.get("text");
        if (text == null || !text.isJsonPrimitive() || !text.getAsJsonPrimitive().isString()) {
            throw line.error(field + " has " + (text == null || text.isJsonNull() ? "no \"text\"" : "a \"text\" that is "
                    + kind(text)), "a string in \"text\"");
        }
        String ownModel = model;
        JsonElement modelField = object.get("model");
        if (modelField != null && !modelField.isJsonNull()) {
            if (!modelField.isJsonPrimitive() || !modelField.getAsJsonPrimitive().isString()) {
                throw line.error(field + " has a \"model\" that is " + kind(modelField), "a model id string");
            }
            ownModel = modelField.getAsString();
        }
        String ownSampling = optionalObject(line, object, "sampling", field + " \"sampling\"");
        return new FeedbackStore.NewCompletion(text.getAsString(), ownModel, ownSampling != null ? ownSampling : sampling);
    }

    /** {@code "gold_ranks": [1, 3, "flag", 2]}: one entry per completion, keyed by position. */
    private static StoredRanking gold(JsonlReader.Line line, int n) {
        JsonElement field = line.object().get("gold_ranks");
        if (field == null || field.isJsonNull()) {
            return null;
        }
        String expected = "an array of " + n + " ranks (1 = best) or \"flag\", one per completion";
        if (!field.isJsonArray() || field.getAsJsonArray().size() != n) {
            throw line.error("field \"gold_ranks\" is " + kind(field)
                    + (field.isJsonArray() ? " of " + field.getAsJsonArray().size() : ""), expected);
        }
        TreeMap<Long, Integer> ranks = new TreeMap<>();
        TreeSet<Long> flagged = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            JsonElement e = field.getAsJsonArray().get(i);
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
                    && StoredRanking.FLAG.equalsIgnoreCase(e.getAsString())) {
                flagged.add((long) i);
                continue;
            }
            Integer rank = null;
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                try {
                    rank = Integer.parseInt(e.getAsString());
                } catch (NumberFormatException notAnInteger) {
                    rank = null;
                }
            }
            if (rank == null || rank < 1 || rank > n) {
                throw line.error("field \"gold_ranks\" element " + i + " is " + kind(e), expected);
            }
            ranks.put((long) i, rank);
        }
        return new StoredRanking(ranks, flagged);
    }

    private static String optionalObject(JsonlReader.Line line, JsonObject object, String name, String what) {
        JsonElement e = object.get(name);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw line.error((what.startsWith("field") ? what : "field " + what) + " is " + kind(e),
                    "an object of sampling settings");
        }
        return e.toString();
    }

    private static String kind(JsonElement e) {
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
            return "an array";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isString() ? "a string " + text : p.isBoolean() ? text : "the number " + text;
    }
}
