package org.jalign.spark;

import com.google.gson.JsonArray;
import org.jalign.data.JsonlReader;
import org.jalign.lm.Architecture;
import org.jalign.lm.ModelConfig;

/**
 * The per-line checks of {@code jalign generate} and {@code jalign reward score}, with their
 * messages (the CLI's versions are package-private to {@code org.jalign.cli}); the module's tests
 * run both paths on the same input to keep them the same.
 */
final class LineChecks {
    private LineChecks() {
    }

    /** Ids read from {@code field} must be at least {@code minLength} long and non-negative. */
    static void checkIds(JsonlReader.Line line, String field, int[] ids, int minLength, String why) {
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

    /** Once the model is loaded: every id below the vocabulary size, every sequence within GPT-2's positions. */
    static void checkFitsModel(JsonlReader.Line line, String field, int[] ids, int extraPositions, ModelConfig config) {
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

    static JsonArray toJson(int[] ids) {
        JsonArray array = new JsonArray(ids.length);
        for (int id : ids) {
            array.add(id);
        }
        return array;
    }
}
