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
    public record Result(String engine, int batch, int promptLength, int newTokens, double prefillSeconds, double decodeSeconds,
                         double decodeTokensPerSecond, double decodeGflops, double matmulPeakGflops) {
        public double fractionOfPeak() {
            return decodeGflops / matmulPeakGflops;
        }

        /** The same result against a (re-measured) peak. */
        public Result withPeak(double peakGflops) {
            return new Result(engine, batch, promptLength, newTokens, prefillSeconds, decodeSeconds, decodeTokensPerSecond,
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

    /**
     * Times each engine on the same prompts, their repeats interleaved (engine 1, engine 2, engine 1,
     * ...) so that a noisy neighbour slows them alike; the best repeat of each is reported.
     */
    public static List<Result> run(LanguageModel model, int batch, int promptLength, int newTokens, int repeats,
                                   double peakGflops, long seed, List<DecodeEngine> engines) {
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
        SpecialTokens noEos = new SpecialTokens(-1, List.of(), model.specialTokens().padId());
        GenerationConfig one = GenerationConfig.greedy(1);
        GenerationConfig all = GenerationConfig.greedy(newTokens);
        int n = engines.size();
        Generator[] generators = new Generator[n];
        double[] prefill = new double[n];
        double[] full = new double[n];
        for (int e = 0; e < n; e++) {
            generators[e] = new Generator(model.decoder(), noEos, engines.get(e));
            // warm-up: first-call allocations, thread pools, and the JIT: the Vector API kernels run
            // 10-20x slower until C2 has compiled them, which takes seconds, so one whole run
            generators[e].generate(prompts, one, 0);
            generators[e].generate(prompts, all, 0);
            prefill[e] = Double.MAX_VALUE;
            full[e] = Double.MAX_VALUE;
        }
        for (int r = 0; r < repeats; r++) {
            for (int e = 0; e < n; e++) {
                long t0 = System.nanoTime();
                generators[e].generate(prompts, one, 0);
                prefill[e] = Math.min(prefill[e], (System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                generators[e].generate(prompts, all, 0);
                full[e] = Math.min(full[e], (System.nanoTime() - t0) / 1e9);
            }
        }
        int decoded = newTokens - 1;
        double flops = 0;
        for (int s = 1; s <= decoded; s++) {
            flops += flopsPerToken(c, promptLength + s) * batch;  // step s attends P + s slots
        }
        List<Result> results = new ArrayList<>();
        for (int e = 0; e < n; e++) {
            double decode = Math.max(full[e] - prefill[e], 1e-9);
            results.add(new Result(engineUsed(model, engines.get(e)), batch, promptLength, newTokens, prefill[e], decode,
                    batch * decoded / decode, flops / decode / 1e9, peakGflops));
        }
        return results;
    }
}
