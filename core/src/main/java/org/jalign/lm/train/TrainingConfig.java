package org.jalign.lm.train;

import org.jalign.lm.optim.AdamWConfig;
import org.jalign.lm.optim.LearningRateSchedule;

/**
 * Optimisation settings shared by every trainer.
 *
 * @param steps               optimizer steps in the run
 * @param warmupSteps         linear warmup from 0 to the peak learning rate (HF convention)
 * @param schedule            shape after warmup
 * @param minLearningRateRatio cosine floor as a fraction of the peak (nanoGPT uses 0.1)
 * @param maxGradNorm         global-norm clipping threshold; 1.0 is the RLHF papers' setting
 * @param accumulation        micro-batches per optimizer step
 */
public record TrainingConfig(long steps, long warmupSteps, Schedule schedule, double minLearningRateRatio,
                             AdamWConfig optimizer, double maxGradNorm, int accumulation) {

    public enum Schedule { CONSTANT, COSINE, LINEAR }

    public TrainingConfig {
        if (steps < 1) {
            throw new IllegalArgumentException("train.steps must be >= 1, got " + steps);
        }
        if (warmupSteps < 0 || warmupSteps > steps) {
            throw new IllegalArgumentException("train.warmupSteps must be in [0, steps=" + steps + "], got " + warmupSteps);
        }
        if (schedule == null) {
            throw new IllegalArgumentException("train.schedule must be constant, cosine or linear");
        }
        if (!(minLearningRateRatio >= 0 && minLearningRateRatio <= 1)) {
            throw new IllegalArgumentException("train.minLearningRateRatio must be in [0, 1], got " + minLearningRateRatio);
        }
        if (!(maxGradNorm > 0)) {
            throw new IllegalArgumentException("train.maxGradNorm must be > 0, got " + maxGradNorm);
        }
        if (accumulation < 1) {
            throw new IllegalArgumentException("train.accumulation must be >= 1, got " + accumulation);
        }
    }

    /** The schedule's factor as a function of the 0-based step. */
    public LearningRateSchedule learningRateSchedule() {
        return switch (schedule) {
            case CONSTANT -> new LearningRateSchedule.Constant();
            case COSINE -> new LearningRateSchedule.WarmupCosine(warmupSteps, steps, minLearningRateRatio);
            case LINEAR -> new LearningRateSchedule.WarmupLinear(warmupSteps, steps);
        };
    }
}
