package org.jalign.eval;

import com.google.gson.JsonObject;
import org.jalign.lm.GenerationConfig;

/**
 * How every policy samples, identically: the same seeds give each (prompt, sample) its own random
 * stream, so the policies are compared on the same draws wherever they agree.
 *
 * <p>Plain sampling from softmax(logits / T), no top-k/top-p: the KL estimate needs completions
 * drawn from the distribution whose log-probs it reads. Defaults: 1 sample per prompt, 64 new
 * tokens (as {@code generate}), T = 1 (the models' own distributions, so the KL is theirs), seed
 * 42, 8 prompts per batch.
 */
public record SamplingSettings(int samplesPerPrompt, int maxNewTokens, double temperature, long seed, int batchSize) {

    public SamplingSettings {
        if (samplesPerPrompt < 1) {
            throw new IllegalArgumentException("--samples-per-prompt must be >= 1, got " + samplesPerPrompt);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be > 0 and finite, got " + temperature);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        }
    }

    public static SamplingSettings defaults() {
        return new SamplingSettings(1, 64, 1.0, 42, 8);
    }

    public SamplingSettings withSamplesPerPrompt(int n) {
        return new SamplingSettings(n, maxNewTokens, temperature, seed, batchSize);
    }

    public SamplingSettings withMaxNewTokens(int n) {
        return new SamplingSettings(samplesPerPrompt, n, temperature, seed, batchSize);
    }

    public SamplingSettings withTemperature(double t) {
        return new SamplingSettings(samplesPerPrompt, maxNewTokens, t, seed, batchSize);
    }

    public SamplingSettings withSeed(long s) {
        return new SamplingSettings(samplesPerPrompt, maxNewTokens, temperature, s, batchSize);
    }

    public SamplingSettings withBatchSize(int b) {
        return new SamplingSettings(samplesPerPrompt, maxNewTokens, temperature, seed, b);
    }

    GenerationConfig generationConfig() {
        return GenerationConfig.sampling(maxNewTokens, temperature, seed).withNumReturnSequences(samplesPerPrompt);
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("samplesPerPrompt", samplesPerPrompt);
        o.addProperty("maxNewTokens", maxNewTokens);
        o.addProperty("temperature", temperature);
        o.addProperty("seed", seed);
        o.addProperty("batchSize", batchSize);
        return o;
    }
}
