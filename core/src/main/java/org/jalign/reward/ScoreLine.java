package org.jalign.reward;

import com.google.gson.JsonObject;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;
import org.jalign.lm.TokenIdChecks;

/**
 * One line of {@code jalign reward score}'s input, checked: {@code {"prompt", "completion"}}
 * (text, encoded as {@code reward train} encodes it) or {@code {"prompt_ids", "completion_ids"}}
 * (scored as given); out, the same object with {@code "reward"} added. The command and the Spark
 * job both read and write through this class, so their lines are the same to the byte.
 *
 * @param line          the line read
 * @param prompt        the prompt text, or null when the line gives ids
 * @param completion    the completion text (non-empty), or null when the line gives ids
 * @param promptIds     the prompt ids (may be empty), or null when the line gives text
 * @param completionIds the completion ids (at least one), or null when the line gives text
 */
public record ScoreLine(JsonlReader.Line line, String prompt, String completion, int[] promptIds, int[] completionIds) {

    public ScoreLine {
        boolean text = prompt != null && completion != null;
        boolean ids = promptIds != null && completionIds != null;
        if (text == ids || (text && (promptIds != null || completionIds != null))
                || (ids && (prompt != null || completion != null))) {
            throw new IllegalArgumentException("exactly one pair must be set: prompt and completion, or promptIds and completionIds");
        }
    }

    /** Reads and checks one input line; needs no model. Any id field makes it an ids line. */
    public static ScoreLine parse(JsonlReader.Line line) {
        JsonObject o = line.object();
        boolean ids = o.has("prompt_ids") || o.has("completion_ids");
        boolean text = o.has("prompt") || o.has("completion");
        if (ids) {
            int[] p = JsonlFields.requireIntArray(line, "prompt_ids");
            int[] c = JsonlFields.requireIntArray(line, "completion_ids");
            TokenIdChecks.checkIds(line, "prompt_ids", p, 0, "ids are >= 0");
            TokenIdChecks.checkIds(line, "completion_ids", c, 1, "the reward is read at the completion's last token");
            return new ScoreLine(line, null, null, p, c);
        }
        if (text) {
            String c = JsonlFields.requireString(line, "completion");
            if (c.isEmpty()) {
                throw line.error("field \"completion\" is empty", "a non-empty completion");
            }
            return new ScoreLine(line, JsonlFields.requireString(line, "prompt"), c, null, null);
        }
        throw line.error("the line has neither \"prompt\"/\"completion\" nor \"prompt_ids\"/\"completion_ids\"",
                "{\"prompt\": ..., \"completion\": ...} or {\"prompt_ids\": [...], \"completion_ids\": [...]}");
    }

    /** The output line: a copy of the input object with {@code "reward"} set (added last, or in place of an input "reward"). */
    public JsonObject withReward(float reward) {
        JsonObject out = line.object().deepCopy();
        out.addProperty("reward", reward);
        return out;
    }
}
