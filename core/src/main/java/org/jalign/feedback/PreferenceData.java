package org.jalign.feedback;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Existing preference data read into one shape, (prompt, chosen, rejected), for the reward model
 * and DPO stages. Formats, detected per line by their fields:
 *
 * <ul>
 *   <li>TRL pairs {@code {"prompt", "chosen", "rejected"}} (what {@code feedback export --format
 *       pairs} writes; {@code margin} is kept when present);</li>
 *   <li>ranked {@code {"prompt", "completions": [...], "ranks": [...]}} — N-choose-2 pairs, ties
 *       and null (flagged) ranks as in {@link PreferencePairs}: a flagged completion loses to every
 *       ranked one;</li>
 *   <li>Anthropic HH-RLHF {@code {"chosen", "rejected"}} — two whole dialogues
 *       ("\n\nHuman: … \n\nAssistant: …") that share everything up to the last
 *       "\n\nAssistant:"; that shared part is the prompt (ending with "Assistant:"), the rest of
 *       each is its response, as TRL's HH-RLHF preprocessing does.</li>
 * </ul>
 */
public final class PreferenceData {
    private static final String ASSISTANT = "\n\nAssistant:";

    /** One preference: {@code chosen} is preferred to {@code rejected} as a reply to {@code prompt}. */
    public record Example(String prompt, String chosen, String rejected, double margin, String source, int lineNumber) {
    }

    private PreferenceData() {
    }

    public static List<Example> read(Path file) throws IOException {
        try (JsonlReader reader = JsonlReader.open(file)) {
            return read(reader);
        }
    }

    public static List<Example> read(JsonlReader reader) {
        List<Example> examples = new ArrayList<>();
        for (JsonlReader.Line line : reader) {
            boolean hasPrompt = line.object().has("prompt");
            if (line.object().has("completions")) {
                ranked(line, examples);
            } else if (hasPrompt) {
                double margin = line.object().has("margin") && line.object().get("margin").isJsonPrimitive()
                        && line.object().get("margin").getAsJsonPrimitive().isNumber()
                        ? line.object().get("margin").getAsDouble() : 1.0;
                examples.add(new Example(JsonlFields.requireString(line, "prompt"),
                        JsonlFields.requireString(line, "chosen"), JsonlFields.requireString(line, "rejected"), margin,
                        line.source(), line.lineNumber()));
            } else if (line.object().has("chosen") || line.object().has("rejected")) {
                examples.add(hhRlhf(line));
            } else {
                throw line.error("no preference fields",
                        "{\"prompt\",\"chosen\",\"rejected\"}, {\"prompt\",\"completions\",\"ranks\"} or HH-RLHF's "
                                + "{\"chosen\",\"rejected\"}");
            }
        }
        return examples;
    }

    /** HH-RLHF: split both dialogues after their shared text up to the last "\n\nAssistant:". */
    static Example hhRlhf(JsonlReader.Line line) {
        String chosen = JsonlFields.requireString(line, "chosen");
        String rejected = JsonlFields.requireString(line, "rejected");
        int common = 0;
        int limit = Math.min(chosen.length(), rejected.length());
        while (common < limit && chosen.charAt(common) == rejected.charAt(common)) {
            common++;
        }
        int cut = chosen.lastIndexOf(ASSISTANT, Math.max(0, common - ASSISTANT.length()));
        if (cut < 0 || !rejected.startsWith(chosen.substring(0, cut + ASSISTANT.length()))) {
            throw line.error("field \"chosen\" and \"rejected\" share no prompt ending in \"\\n\\nAssistant:\"",
                    "two dialogues that differ only in the last assistant turn");
        }
        int end = cut + ASSISTANT.length();
        return new Example(chosen.substring(0, end), chosen.substring(end), rejected.substring(end), 1.0,
                line.source(), line.lineNumber());
    }

    private static void ranked(JsonlReader.Line line, List<Example> out) {
        String prompt = JsonlFields.requireString(line, "prompt");
        JsonElement c = line.object().get("completions");
        JsonElement r = line.object().get("ranks");
        if (c == null || !c.isJsonArray()) {
            throw line.error("field \"completions\" is missing or not an array", "an array of strings");
        }
        if (r == null || !r.isJsonArray() || r.getAsJsonArray().size() != c.getAsJsonArray().size()) {
            throw line.error("field \"ranks\" is missing or not as long as \"completions\"",
                    "one rank (integer, 1 = best) or null (flagged) per completion");
        }
        JsonArray completions = c.getAsJsonArray();
        JsonArray ranks = r.getAsJsonArray();
        List<Placement> placements = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < completions.size(); i++) {
            JsonElement text = completions.get(i);
            if (!text.isJsonPrimitive() || !text.getAsJsonPrimitive().isString()) {
                throw line.error("field \"completions\" element " + i + " is not a string", "an array of strings");
            }
            texts.add(text.getAsString());
            JsonElement rank = ranks.get(i);
            if (rank.isJsonNull()) {
                placements.add(new Placement.Flag());
            } else if (rank.isJsonPrimitive() && rank.getAsJsonPrimitive().isNumber()
                    && rank.getAsDouble() == Math.rint(rank.getAsDouble()) && rank.getAsDouble() >= 1) {
                placements.add(new Placement.Rank(rank.getAsInt()));
            } else {
                throw line.error("field \"ranks\" element " + i + " is " + rank, "an integer >= 1 or null");
            }
        }
        Ranking ranking;
        try {
            ranking = new Ranking(placements);
        } catch (IllegalArgumentException e) {
            throw line.error("field \"ranks\": " + e.getMessage(), "a valid ranking");
        }
        String id = line.source() + ":" + line.lineNumber();
        for (PreferencePair pair : PreferencePairs.of(id, ranking, 1, FlagPolicy.LOSES_TO_RANKED)) {
            out.add(new Example(prompt, texts.get(pair.chosen()), texts.get(pair.rejected()), pair.margin(),
                    line.source(), line.lineNumber()));
        }
    }
}
