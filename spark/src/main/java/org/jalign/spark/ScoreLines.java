package org.jalign.spark;

import com.google.gson.JsonObject;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;

/**
 * {@code jalign reward score}'s line formats: {@code {"prompt", "completion"}} or
 * {@code {"prompt_ids", "completion_ids"}} in, the same object with {@code "reward"} added out.
 * Same checks and messages as {@code org.jalign.cli.RewardScoreCommand}.
 */
final class ScoreLines {
    private ScoreLines() {
    }

    /** One checked line: text or ids (exactly one pair is set). */
    record Item(JsonlReader.Line line, String prompt, String completion, int[] promptIds, int[] completionIds) {
    }

    /** Parses and checks one line without the model (the driver's fast pass runs this on every line). */
    static Item parse(InputLine input) {
        JsonlReader.Line line = input.parse();
        JsonObject o = line.object();
        boolean ids = o.has("prompt_ids") || o.has("completion_ids");
        boolean text = o.has("prompt") || o.has("completion");
        if (ids) {
            int[] p = JsonlFields.requireIntArray(line, "prompt_ids");
            int[] c = JsonlFields.requireIntArray(line, "completion_ids");
            LineChecks.checkIds(line, "prompt_ids", p, 0, "ids are >= 0");
            LineChecks.checkIds(line, "completion_ids", c, 1, "the reward is read at the completion's last token");
            return new Item(line, null, null, p, c);
        }
        if (text) {
            String c = JsonlFields.requireString(line, "completion");
            if (c.isEmpty()) {
                throw line.error("field \"completion\" is empty", "a non-empty completion");
            }
            return new Item(line, JsonlFields.requireString(line, "prompt"), c, null, null);
        }
        throw line.error("the line has neither \"prompt\"/\"completion\" nor \"prompt_ids\"/\"completion_ids\"",
                "{\"prompt\": ..., \"completion\": ...} or {\"prompt_ids\": [...], \"completion_ids\": [...]}");
    }

    /** The input object with its reward, as the CLI writes it. */
    static JsonObject outputLine(Item item, float reward) {
        JsonObject line = item.line().object().deepCopy();
        line.addProperty("reward", reward);
        return line;
    }
}
