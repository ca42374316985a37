package org.jalign.lm;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Random tiny models of every family, built in memory for tests. */
public final class TinyModels {
    private TinyModels() {
    }

    public static ModelConfig config(Architecture architecture) {
        return switch (architecture) {
            case LLAMA -> TinyCheckpoints.tinyLlama();
            case QWEN2 -> TinyCheckpoints.tinyQwen2();
            case GPT2 -> TinyCheckpoints.tinyGpt2();
        };
    }

    public static LanguageModel create(ModelConfig config, long seed) {
        try {
            return LanguageModel.of(config,
                    TensorSource.of(TinyCheckpoints.randomWeights(config, seed), TinyCheckpoints.shapes(config)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
