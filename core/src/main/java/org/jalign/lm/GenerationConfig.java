package org.jalign.lm;

/**
 * How to decode: greedy, or sampling with temperature, top-k, top-p and an optional repetition
 * penalty; N samples per prompt; a token budget; a seed.
 *
 * <p>Defaults follow Hugging Face {@code GenerationConfig}: temperature 1, top-k off (0), top-p 1
 * (off), repetition penalty 1 (off). The repetition penalty is CTRL's (Keskar et al. 2019, eq. 1
 * as implemented by HF): a logit of a token already in the sequence is divided by the penalty when
 * positive and multiplied by it when negative.
 *
 * @param seed each sample draws from its own generator seeded by (seed, prompt index, sample
 *             index), so a prompt's samples do not depend on the batch it was decoded in
 */
public record GenerationConfig(int maxNewTokens, boolean greedy, double temperature, int topK, double topP,
                               double repetitionPenalty, int numReturnSequences, long seed) {

    public GenerationConfig {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be > 0 (use greedy for argmax), got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetitionPenalty must be > 0 (1 = off), got " + repetitionPenalty);
        }
        if (numReturnSequences < 1) {
            throw new IllegalArgumentException("numReturnSequences must be >= 1, got " + numReturnSequences);
        }
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens, one sequence per prompt. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, true, 1.0, 0, 1.0, 1.0, 1, 0);
    }

    /** Plain sampling at the given temperature (no top-k/top-p), one sequence per prompt. */
    public static GenerationConfig sampling(int maxNewTokens, double temperature, long seed) {
        return new GenerationConfig(maxNewTokens, false, temperature, 0, 1.0, 1.0, 1, seed);
    }

    public GenerationConfig withTopK(int k) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, k, topP, repetitionPenalty, numReturnSequences, seed);
    }

    public GenerationConfig withTopP(double p) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, p, repetitionPenalty, numReturnSequences, seed);
    }

    public GenerationConfig withRepetitionPenalty(double penalty) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, penalty, numReturnSequences, seed);
    }

    public GenerationConfig withNumReturnSequences(int n) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, n, seed);
    }

    public GenerationConfig withSeed(long s) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, numReturnSequences, s);
    }
}
