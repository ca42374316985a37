package org.jalign.bench;

import org.jalign.lm.DecodeEngine;
import org.jalign.lm.DecodeSession;
import org.jalign.lm.DjlDecodeSession;
import org.jalign.lm.GenerationConfig;
import org.jalign.lm.Generator;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.SpecialTokens;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Times batched greedy decoding: B random prompts of P tokens, K new tokens each, EOS ignored so
 * every row decodes all K. Decode time = time(K tokens) − time(1 token), which removes the prefill
 * and the first draw without instrumenting the generator; decode tokens/s = B·(K−1)/decode time,
 * as in bench/hf_style_decode.py (the prefill makes token 1, the K−1 decode steps the rest).
 */
public final class DecodeBenchmark {

    /** The measurements of one configuration. */
    public record Result(int batch, int promptLength, int newTokens, double prefillSeconds, double decodeSeconds,
                         double decodeTokensPerSecond, double decodeGflops, double matmulPeakGflops) {
        public double fractionOfPeak() {
            return decodeGflops / matmulPeakGflops;
        }

        /** The same result against a (re-measured) peak. */
        public Result withPeak(double peakGflops) {
            return new Result(batch, promptLength, newTokens, prefillSeconds, decodeSeconds, decodeTokensPerSecond,
                    decodeGflops, peakGflops);
        }
    }

    private DecodeBenchmark() {
    }

    /**
     * FLOPs to decode one token of one sequence with {@code context} slots attended: 2 per
     * multiply-add over every projection and the head, plus q·kᵀ and the weighted sum of v
     * (4·H·hd per attended slot per layer).
     */
    public static double flopsPerToken(ModelConfig c, int context) {
        long q = (long) c.numHeads() * c.headDim();
        double matmul = 2.0 * (TrainBenchmark.layerMatmulParameters(c) + (double) c.vocabSize() * c.hiddenSize());
        return matmul + 4.0 * q * context * c.numLayers();
    }

    /** "java" or "djl": the engine {@code engine} selects for this model now (opens one tiny session to find out). */
    public static String engineUsed(LanguageModel model, DecodeEngine engine) {
        try (DecodeSession s = model.decoder().newDecodeSession(1, 1, true, engine)) {
            return s instanceof DjlDecodeSession ? "djl" : "java";
        }
    }

    public static Result run(LanguageModel model, int batch, int promptLength, int newTokens, int repeats,
                             double peakGflops, long seed, DecodeEngine engine) {
        ModelConfig c = model.config();
        if (promptLength + newTokens > c.maxPositions()) {
            throw new IllegalArgumentException("prompt length " + promptLength + " + new tokens " + newTokens
                    + " exceeds the model's max_position_embeddings (" + c.maxPositions() + ")");
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<int[]> prompts = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            prompts.add(random.ints(promptLength, 0, c.vocabSize()).toArray());
        }
        Generator generator = new Generator(model.decoder(),
                new SpecialTokens(-1, List.of(), model.specialTokens().padId()), engine);
        GenerationConfig one = GenerationConfig.greedy(1);
        GenerationConfig all = GenerationConfig.greedy(newTokens);
        generator.generate(prompts, one, 0);               // warm-up: first-call allocations, thread pools
        generator.generate(prompts, GenerationConfig.greedy(Math.min(newTokens, 8)), 0);
        double prefill = Double.MAX_VALUE;
        double full = Double.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            generator.generate(prompts, one, 0);
            prefill = Math.min(prefill, (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            generator.generate(prompts, all, 0);
            full = Math.min(full, (System.nanoTime() - t0) / 1e9);
        }
        double decode = Math.max(full - prefill, 1e-9);
        int decoded = newTokens - 1;
        double flops = 0;
        for (int s = 1; s <= decoded; s++) {
            flops += flopsPerToken(c, promptLength + s) * batch;  // step s attends P + s slots
        }
        return new Result(batch, promptLength, newTokens, prefill, decode, batch * decoded / decode,
                flops / decode / 1e9, peakGflops);
    }
}
