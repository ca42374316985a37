package org.jalign.lm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A causal LM loaded from a Hugging Face directory (config.json, safetensors, optional
 * tokenizer.json), with batched generation and per-token log-probs.
 */
public final class LanguageModel implements AutoCloseable {

    private LanguageModel() {
    }

    /** Loads {@code dir}: config.json, model.safetensors (or a sharded index), tokenizer.json if present. */
    public static LanguageModel load(Path dir) throws IOException {
        throw new UnsupportedOperationException("in progress");
    }

    public ModelConfig config() {
        throw new UnsupportedOperationException("in progress");
    }

    /** The tokenizer, when the directory has a tokenizer.json. */
    public Optional<TextTokenizer> tokenizer() {
        throw new UnsupportedOperationException("in progress");
    }

    public SpecialTokens specialTokens() {
        throw new UnsupportedOperationException("in progress");
    }

    /**
     * Decodes {@code config.numReturnSequences()} completions for each prompt, all prompts in one
     * left-padded batch (callers split large inputs into batches).
     *
     * @param firstPromptIndex index of {@code prompts.get(0)} in the caller's whole input; seeds
     *                         each sample's generator so results do not depend on batching
     * @return prompt-major: prompt 0's samples, then prompt 1's, ...
     */
    public List<GeneratedSequence> generate(List<int[]> prompts, GenerationConfig config, int firstPromptIndex) {
        throw new UnsupportedOperationException("in progress");
    }

    /**
     * Per-token log-probs: for each sequence s of length n, an array of n−1 values where
     * {@code [i] = log p(s[i+1] | s[0..i])}; all sequences in one padded batch.
     */
    public float[][] logProbs(List<int[]> sequences) {
        throw new UnsupportedOperationException("in progress");
    }

    @Override
    public void close() {
    }
}
