package org.jalign.constitution;

import com.google.gson.JsonObject;
import org.jalign.lm.GenerationConfig;

/**
 * Settings of the critique-revision stage.
 *
 * @param rounds       critique-revision rounds per prompt, ≥ 1 (Bai et al. 2022 use up to 4)
 * @param maxNewTokens tokens each generated turn (response, critique, revision) may use
 * @param greedy       argmax decoding instead of sampling
 * @param temperature  sampling temperature (HF's default 1)
 * @param topP         nucleus sampling, 1 = off
 * @param batchSize    prompts generated together; results do not depend on it
 * @param seed         seeds principle draws and every sample
 */
public record RevisionConfig(int rounds, int maxNewTokens, boolean greedy, double temperature, double topP,
                             int batchSize, long seed) {
    public RevisionConfig {
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be >= 1, got " + rounds);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be > 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("--top-p must be in (0, 1], got " + topP);
        }
    }

    /**
     * The decoding of one phase: 0 = the initial response, 2r + 1 = round r's critique, 2r + 2 its
     * revision. Each phase has its own seed, so a critique and the revision after it are not
     * drawn from one stream; within a phase, samples are seeded by prompt index (see
     * {@link GenerationConfig}).
     */
    GenerationConfig generation(int phase) {
        GenerationConfig base = greedy ? GenerationConfig.greedy(maxNewTokens)
                : GenerationConfig.sampling(maxNewTokens, temperature, seed).withTopP(topP);
        return base.withSeed(seed * 1_000_003L + phase);
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("rounds", rounds);
        o.addProperty("maxNewTokens", maxNewTokens);
        o.addProperty("greedy", greedy);
        o.addProperty("temperature", temperature);
        o.addProperty("topP", topP);
        o.addProperty("seed", seed);
        return o;
    }
}
