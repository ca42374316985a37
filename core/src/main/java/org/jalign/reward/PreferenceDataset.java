package org.jalign.reward;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;
import org.jalign.data.Shuffling;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Preference JSONL read and split: 1 read and validate every line (a bad one stops the read with
 * file, line and field), 2 turn it into a {@link PreferenceExample}, 3 hold out an eval set by
 * prompt.
 *
 * <pre>
 *   pairs:  {"prompt": "...", "chosen": "...", "rejected": "...", "margin": 2}      (margin optional)
 *   ranked: {"prompt": "...", "completions": ["a", "b", "c"], "ranks": [2, 1, null]}
 * </pre>
 * Other fields ({@code prompt_id}, {@code labeler_count}, ...) are ignored. Completions must be
 * non-empty strings; the prompt may be empty. A ranked line whose completions are all tied or
 * flagged has no pair and is skipped (counted in {@link Read#skippedWithoutPairs}).
 */
public final class PreferenceDataset {

    /** What {@link #read} found. */
    public record Read(List<PreferenceExample> examples, int skippedWithoutPairs) {
        public Read {
            examples = List.copyOf(examples);
        }
    }

    /** Examples split into train and eval, no prompt in both. */
    public record Split(List<PreferenceExample> train, List<PreferenceExample> eval) {
        public Split {
            train = List.copyOf(train);
            eval = List.copyOf(eval);
        }
    }

    private PreferenceDataset() {
    }

    /**
     * @param useMargin take each pairs line's {@code margin} (absent = 0) into the loss; ranked
     *                  lines have none
     */
    public static Read read(Path file, PreferenceFormat format, boolean useMargin) throws IOException {
        try (JsonlReader reader = JsonlReader.open(file)) {
            return read(reader, format, useMargin);
        }
    }

    public static Read read(JsonlReader reader, PreferenceFormat format, boolean useMargin) {
        List<PreferenceExample> examples = new ArrayList<>();
        int skipped = 0;
        for (JsonlReader.Line line : reader) {
            PreferenceExample e = format == PreferenceFormat.PAIRS ? pairs(line, useMargin) : ranked(line);
            if (e == null) {
                skipped++;
            } else {
                examples.add(e);
            }
        }
        return new Read(examples, skipped);
    }

    private static PreferenceExample pairs(JsonlReader.Line line, boolean useMargin) {
        JsonObject o = line.object();
        if (o.has("completions") && !o.has("chosen")) {
            throw line.error("the line has \"completions\" and no \"chosen\"",
                    "a pairs line {\"prompt\", \"chosen\", \"rejected\"}; for ranked lines pass --format ranked");
        }
        String prompt = JsonlFields.requireString(line, "prompt");
        String chosen = nonEmpty(line, "chosen");
        String rejected = nonEmpty(line, "rejected");
        double margin = 0;
        JsonElement m = o.get("margin");
        if (m != null && !m.isJsonNull()) {
            if (!m.isJsonPrimitive() || !m.getAsJsonPrimitive().isNumber() || !Double.isFinite(m.getAsDouble())) {
                throw line.error("field \"margin\" is " + m, "a number (or no margin)");
            }
            margin = useMargin ? m.getAsDouble() : 0;
        }
        return new PreferenceExample(prompt, List.of(chosen, rejected), List.of(new RewardLoss.Pair(0, 1, margin)),
                line.source(), line.lineNumber());
    }

    private static PreferenceExample ranked(JsonlReader.Line line) {
        JsonObject o = line.object();
        if (o.has("chosen") && !o.has("completions")) {
            throw line.error("the line has \"chosen\" and no \"completions\"",
                    "a ranked line {\"prompt\", \"completions\", \"ranks\"}; for pairs lines pass --format pairs");
        }
        String prompt = JsonlFields.requireString(line, "prompt");
        JsonArray completions = array(line, "completions", "an array of at least two non-empty strings");
        JsonArray ranks = array(line, "ranks", "an array of ranks (integers >= 1, 1 = best, or null = flagged)");
        if (completions.size() < 2) {
            throw line.error("field \"completions\" has " + completions.size() + " element"
                    + (completions.size() == 1 ? "" : "s"), "at least two completions to compare");
        }
        if (ranks.size() != completions.size()) {
            throw line.error("field \"ranks\" has " + ranks.size() + " elements but \"completions\" has "
                    + completions.size(), "one rank per completion");
        }
        List<String> texts = new ArrayList<>();
        List<Integer> rankList = new ArrayList<>();
        for (int i = 0; i < completions.size(); i++) {
            JsonElement c = completions.get(i);
            if (!c.isJsonPrimitive() || !c.getAsJsonPrimitive().isString() || c.getAsString().isEmpty()) {
                throw line.error("field \"completions\" element " + i + " is " + c, "a non-empty string");
            }
            texts.add(c.getAsString());
            JsonElement r = ranks.get(i);
            if (r.isJsonNull()) {
                rankList.add(null);
            } else if (r.isJsonPrimitive() && r.getAsJsonPrimitive().isNumber()
                    && r.getAsDouble() == Math.rint(r.getAsDouble()) && r.getAsDouble() >= 1
                    && r.getAsDouble() <= completions.size()) {
                rankList.add(r.getAsInt());
            } else {
                throw line.error("field \"ranks\" element " + i + " is " + r, "an integer from 1 (best) to "
                        + completions.size() + ", or null (flagged)");
            }
        }
        List<RewardLoss.Pair> pairs = RewardLoss.rankedPairs(rankList);
        return pairs.isEmpty() ? null : new PreferenceExample(prompt, texts, pairs, line.source(), line.lineNumber());
    }

    private static String nonEmpty(JsonlReader.Line line, String field) {
        String s = JsonlFields.requireString(line, field);
        if (s.isEmpty()) {
            throw line.error("field \"" + field + "\" is empty", "a non-empty completion");
        }
        return s;
    }

    private static JsonArray array(JsonlReader.Line line, String field, String expected) {
        JsonElement e = line.object().get(field);
        if (e == null || e.isJsonNull()) {
            throw line.error("field \"" + field + "\" is " + (e == null ? "missing" : "null"), expected);
        }
        if (!e.isJsonArray()) {
            throw line.error("field \"" + field + "\" is " + e, expected);
        }
        return e.getAsJsonArray();
    }

    /**
     * Holds out about {@code evalFraction} of the distinct prompts (at least one when the fraction
     * is positive and there are two or more prompts, never all), with every line of a held-out
     * prompt: exported pairs repeat a prompt on up to C(K,2) lines, and splitting by line would
     * show the eval prompts in training. The prompts are shuffled by Fisher–Yates with
     * {@code java.util.Random(seed)}; both parts keep file order.
     */
    public static Split split(List<PreferenceExample> examples, double evalFraction, long seed) {
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("evalFraction must be in [0, 1), got " + evalFraction);
        }
        List<List<PreferenceExample>> parts =
                Shuffling.splitByKey(examples, PreferenceExample::prompt, evalFraction, seed);
        return new Split(parts.get(0), parts.get(1));
    }
}
