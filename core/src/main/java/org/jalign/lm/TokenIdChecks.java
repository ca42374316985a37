package org.jalign.lm;

import org.jalign.data.JsonlReader;

/**
 * The checks a line's token ids must pass, with messages that name the file, line and field:
 * first as read (long enough, non-negative), then once the model is known (inside its vocabulary,
 * within GPT-2's positions). Shared by the commands and the Spark jobs that read token ids, so
 * both refuse the same lines with the same words.
 */
public final class TokenIdChecks {
    private TokenIdChecks() {
    }

    /** Ids read from {@code field} must be at least {@code minLength} long and non-negative; {@code why} says why the length. */
    public static void checkIds(JsonlReader.Line line, String field, int[] ids, int minLength, String why) {
        if (ids.length < minLength) {
            throw line.error("field \"" + field + "\" has " + ids.length + " token" + (ids.length == 1 ? "" : "s"),
                    "at least " + minLength + " (" + why + ")");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw line.error("field \"" + field + "\" element " + i + " is " + ids[i], "token ids >= 0");
            }
        }
    }

    /**
     * Once the model is loaded: every id below the vocabulary size, and on GPT-2 the ids plus
     * {@code extraPositions} (tokens still to be generated) within its positions.
     */
    public static void checkFitsModel(JsonlReader.Line line, String field, int[] ids, int extraPositions, ModelConfig config) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] >= config.vocabSize()) {
                throw line.error("field \"" + field + "\" element " + i + " is " + ids[i],
                        "token ids < the model's vocab_size " + config.vocabSize());
            }
        }
        // Llama and Qwen2 use RoPE, which has no hard limit; GPT-2's learned positions end at n_positions.
        if (config.architecture() == Architecture.GPT2 && ids.length + extraPositions > config.maxPositions()) {
            throw line.error(ids.length + " tokens" + (extraPositions > 0 ? " + " + extraPositions + " new tokens" : "")
                    + " exceed the model's n_positions", "at most " + config.maxPositions() + " positions in all");
        }
    }
}
