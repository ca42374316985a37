package org.jalign.spark;

import com.google.gson.JsonObject;
import org.jalign.lm.GenerationConfig;

import java.io.Serializable;

/**
 * What the {@code generate} job ships to its executors: the model directory (a path every
 * executor can read), the decoding options of {@code jalign generate}, and the batch size that
 * decides which prompts share a forward pass.
 *
 * <p>A serializable copy of {@link GenerationConfig} (a record that is not serializable), checked
 * by building one, so a bad option fails on the driver before any task starts.
 */
record GenerateSettings(String model, int maxNewTokens, boolean greedy, double temperature, int topK, double topP,
                        double repetitionPenalty, int numReturnSequences, long seed, int batchSize) implements Serializable {

    GenerateSettings {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must be a directory path, got \"" + model + "\"");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        // Checks the decoding options (fields are not assigned yet inside a compact constructor).
        new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, numReturnSequences, seed);
    }

    /** The settings of a job that decodes with {@code config} (checked by the command's options). */
    static GenerateSettings of(String model, GenerationConfig config, int batchSize) {
        return new GenerateSettings(model, config.maxNewTokens(), config.greedy(), config.temperature(), config.topK(),
                config.topP(), config.repetitionPenalty(), config.numReturnSequences(), config.seed(), batchSize);
    }

    GenerationConfig config() {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty,
                numReturnSequences, seed);
    }

    /** The options as the manifest records them. */
    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model", model);
        o.addProperty("max_new_tokens", maxNewTokens);
        o.addProperty("greedy", greedy);
        o.addProperty("temperature", temperature);
        o.addProperty("top_k", topK);
        o.addProperty("top_p", topP);
        o.addProperty("repetition_penalty", repetitionPenalty);
        o.addProperty("num_return_sequences", numReturnSequences);
        o.addProperty("seed", seed);
        o.addProperty("batch_size", batchSize);
        return o;
    }
}
