package org.jalign.bench;

import org.jalign.lm.Architecture;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.lora.LoraConfig;
import org.jalign.lm.optim.AdamWConfig;
import org.jalign.lm.train.CausalLmTrainer;
import org.jalign.lm.train.TokenBatch;
import org.jalign.lm.train.TrainingConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times optimizer steps of {@link CausalLmTrainer}: B random sequences of T tokens, every token
 * after the first a target (pretraining loss), one micro-batch per step, AdamW (torch defaults)
 * with global-norm clipping at 1.0. The trainer trains the LoRA adapters when the model has some,
 * else every weight. Each step draws a fresh batch; warm-up steps run first, then the timed ones,
 * and the best and the median step time are reported (bench/hf_style_train.py does the same).
 *
 * <p>FLOPs of one step ({@link #flopsPerStep}), 2 per multiply-add, matrix products only
 * (normalisation, RoPE, softmax, SiLU, the loss and the optimizer are not counted):
 * <ul>
 *   <li>projections: P = layers·(C·(H·hd + 2·KV·hd) + H·hd·C + 3·C·I) weights, applied to all
 *       N = B·T tokens; the LM head (V·C) to the B·(T−1) positions that predict a token;</li>
 *   <li>full fine-tune: forward 2, backward 4 (input gradient 2 + weight gradient 2) per weight
 *       per token: 6·N·P + 6·B·(T−1)·V·C;</li>
 *   <li>LoRA: the frozen base still runs forward and the input-gradient half of backward:
 *       4·N·P + 4·B·(T−1)·V·C; each adapter (A: r×in, B: out×r) adds 6·N·r·(in + out);</li>
 *   <li>attention, both cases: q·kᵀ and weights·v over the full T×T square (eager attention
 *       computes the masked half too), 4·B·T²·H·hd per layer forward and twice that backward:
 *       12·layers·B·T²·H·hd (= 12·layers·B·T²·C when H·hd = C).</li>
 * </ul>
 * Autograd may skip a few products the count includes (e.g. layer 0's q/k/v input gradient when
 * only adapters train: the embedding is frozen); they are the same for every implementation.
 */
public final class TrainBenchmark {

    /** The measurements of one configuration. Memory in bytes, from /proc/self/status. */
    public record Result(int batch, int seqLen, int warmup, int steps, double bestStepSeconds,
                         double medianStepSeconds, double flopsPerStep, double matmulPeakGflops,
                         long trainableParameters, double firstLoss, double lastLoss, long rssBytes,
                         long peakRssBytes) {
        public double tokensPerSecond() {
            return (double) batch * seqLen / bestStepSeconds;
        }

        public double gflops() {
            return flopsPerStep / bestStepSeconds / 1e9;
        }

        public double fractionOfPeak() {
            return gflops() / matmulPeakGflops;
        }

        /** The same result against a (re-measured) peak. */
        public Result withPeak(double peakGflops) {
            return new Result(batch, seqLen, warmup, steps, bestStepSeconds, medianStepSeconds, flopsPerStep,
                    peakGflops, trainableParameters, firstLoss, lastLoss, rssBytes, peakRssBytes);
        }
    }

    private TrainBenchmark() {
    }

    /** Weights of the matrix products in the decoder layers (not the embedding or the head). */
    public static long layerMatmulParameters(ModelConfig c) {
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long hidden = c.hiddenSize();
        long mlpMatrices = c.architecture() == Architecture.GPT2 ? 2 : 3;
        return c.numLayers() * (hidden * (q + 2 * kv) + q * hidden + mlpMatrices * hidden * c.intermediateSize());
    }

    /** Σ r·(in + out) over the adapted projections: the adapters' weight count. */
    public static long adapterParameters(LoraConfig lora, Map<String, long[]> projections) {
        long sum = 0;
        for (Map.Entry<String, long[]> e : projections.entrySet()) {
            if (lora.targets(e.getKey())) {
                sum += (long) lora.rank() * (e.getValue()[0] + e.getValue()[1]);
            }
        }
        return sum;
    }

    /**
     * FLOPs of one training step (see the class comment for what is counted).
     *
     * @param adapterWeights Σ r·(in + out) over the adapters ({@link #adapterParameters}), or a
     *                       negative number for a full fine-tune
     */
    public static double flopsPerStep(ModelConfig c, long adapterWeights, int batch, int seqLen) {
        double tokens = (double) batch * seqLen;
        double predicted = (double) batch * (seqLen - 1);
        double layers = layerMatmulParameters(c);
        double head = (double) c.vocabSize() * c.hiddenSize();
        double attention = 12.0 * c.numLayers() * batch * (double) seqLen * seqLen * c.numHeads() * c.headDim();
        if (adapterWeights < 0) {
            return 6 * tokens * layers + 6 * predicted * head + attention;
        }
        return 4 * tokens * layers + 4 * predicted * head + attention + 6 * tokens * adapterWeights;
    }

    /** The trainer's settings here: constant lr 1e-3, torch AdamW defaults, clip 1.0, no accumulation. */
    public static TrainingConfig trainingConfig(int steps) {
        return new TrainingConfig(steps, 0, TrainingConfig.Schedule.CONSTANT, 0.0, AdamWConfig.torchDefaults(),
                1.0, 1);
    }

    /**
     * Runs {@code warmup} + {@code steps} optimizer steps on {@code model} (its adapters when it has
     * some) and times the last {@code steps}.
     */
    public static Result run(LanguageModel model, int batch, int seqLen, int warmup, int steps, double peakGflops,
                             long seed) {
        ModelConfig c = model.config();
        if (seqLen > c.maxPositions()) {
            throw new IllegalArgumentException("sequence length " + seqLen + " exceeds the model's "
                    + "max_position_embeddings (" + c.maxPositions() + ")");
        }
        SplittableRandom random = new SplittableRandom(seed);
        long adapterWeights = model.decoder().adapters() == null ? -1
                : adapterParameters(model.decoder().adapters().config(), model.decoder().projections());
        double[] seconds = new double[steps];
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        long trainable;
        try (CausalLmTrainer trainer = new CausalLmTrainer(model, trainingConfig(warmup + steps))) {
            trainable = model.decoder().adapters() != null
                    ? count(model.decoder().adapters().parameters())
                    : count(model.decoder().parameters());
            for (int s = 0; s < warmup + steps; s++) {
                List<TokenBatch> batches = List.of(randomBatch(random, batch, seqLen, c.vocabSize()));
                long t0 = System.nanoTime();
                CausalLmTrainer.StepResult r = trainer.step(batches);
                double elapsed = (System.nanoTime() - t0) / 1e9;
                if (s == 0) {
                    firstLoss = r.loss();
                }
                lastLoss = r.loss();
                if (s >= warmup) {
                    seconds[s - warmup] = elapsed;
                }
            }
        }
        long[] memory = memory();
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = steps % 2 == 1 ? sorted[steps / 2] : (sorted[steps / 2 - 1] + sorted[steps / 2]) / 2;
        return new Result(batch, seqLen, warmup, steps, sorted[0], median,
                flopsPerStep(c, adapterWeights, batch, seqLen), peakGflops, trainable, firstLoss, lastLoss,
                memory[0], memory[1]);
    }

    private static long count(List<org.jalign.lm.Parameter> parameters) {
        long n = 0;
        for (org.jalign.lm.Parameter p : parameters) {
            n += p.array().size();
        }
        return n;
    }

    private static TokenBatch randomBatch(SplittableRandom random, int batch, int seqLen, int vocab) {
        List<int[]> rows = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            rows.add(random.ints(seqLen, 0, vocab).toArray());
        }
        return TokenBatch.allTargets(rows);
    }

    /**
     * {VmRSS, VmHWM} of this process in bytes (resident now, and the peak since start), from
     * /proc/self/status; {−1, −1} where there is none (not Linux).
     */
    public static long[] memory() {
        long[] values = {-1, -1};
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    values[0] = kilobytes(line) * 1024;
                } else if (line.startsWith("VmHWM:")) {
                    values[1] = kilobytes(line) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
        return values;
    }

    private static long kilobytes(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
