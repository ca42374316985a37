package org.jalign.pretrain;

import com.google.gson.JsonObject;

import java.nio.file.Path;

/**
 * Everything a pretraining run depends on; stored in the manifest, and compared on --resume so a
 * run is never continued with other settings by mistake.
 *
 * <p>Defaults (in the CLI) follow nanoGPT's small-model recipe: AdamW β = (0.9, 0.95), weight
 * decay 0.1, cosine decay to 10% after a short warmup, gradient clipping at 1.0, init std 0.02.
 */
public record PretrainingConfig(Path modelConfig, Path tokenizer, Path data, long steps, int batchSize, int seqLen,
                                double learningRate, long warmupSteps, double weightDecay, double beta1, double beta2,
                                double maxGradNorm, int accumulation, long seed, double initStd, double evalFraction,
                                long checkpointEvery, long evalEvery) {

    public PretrainingConfig {
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        }
        if (warmupSteps < 0 || accumulation < 1 || checkpointEvery < 0 || evalEvery < 0) {
            throw new IllegalArgumentException("--warmup, --checkpoint-every and --eval-every must be >= 0 and "
                    + "--accumulation >= 1");
        }
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("--eval-fraction must be in [0, 1), got " + evalFraction);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        }
        if (seqLen < 2) {
            throw new IllegalArgumentException("--seq-len must be >= 2, got " + seqLen);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("--lr must be > 0, got " + learningRate);
        }
        if (!(initStd > 0)) {
            throw new IllegalArgumentException("--init-std must be > 0, got " + initStd);
        }
    }

    /** The settings as JSON (paths as given), for the manifest. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("modelConfig", modelConfig.toString());
        o.addProperty("tokenizer", tokenizer.toString());
        o.addProperty("data", data.toString());
        o.addProperty("steps", steps);
        o.addProperty("batchSize", batchSize);
        o.addProperty("seqLen", seqLen);
        o.addProperty("learningRate", learningRate);
        o.addProperty("warmupSteps", warmupSteps);
        o.addProperty("weightDecay", weightDecay);
        o.addProperty("beta1", beta1);
        o.addProperty("beta2", beta2);
        o.addProperty("maxGradNorm", maxGradNorm);
        o.addProperty("accumulation", accumulation);
        o.addProperty("seed", seed);
        o.addProperty("initStd", initStd);
        o.addProperty("evalFraction", evalFraction);
        o.addProperty("checkpointEvery", checkpointEvery);
        o.addProperty("evalEvery", evalEvery);
        return o;
    }
}
