package org.jalign.lm.optim;

/**
 * The factor by which the peak learning rate ({@link AdamWConfig#learningRate()}) is scaled at
 * each optimizer step: lr(step) = peak · {@link #at}(step). Steps are counted from 0, the
 * factor for the first update, as in Hugging Face's {@code LambdaLR} schedules, whose
 * {@code lr_lambda} these reproduce (transformers {@code optimization.py}).
 *
 * <p>So with warmup the very first update has learning rate 0 (HF behaves the same way), and a
 * trainer asks for {@code at(optimizer.stepCount())} before calling {@code step}.
 */
public sealed interface LearningRateSchedule {

    /** The factor in [0, 1] for the update with this 0-based index. */
    double at(long step);

    /** {@code get_constant_schedule}: factor 1 throughout. */
    record Constant() implements LearningRateSchedule {
        @Override
        public double at(long step) {
            requireNonNegative(step);
            return 1.0;
        }
    }

    /**
     * {@code get_cosine_schedule_with_warmup} (half a cosine cycle), with the floor of
     * {@code get_cosine_with_min_lr_schedule_with_warmup}:
     * <ul>
     *   <li>step &lt; warmup: step / warmup (linear from 0);</li>
     *   <li>then, with progress = (step − warmup) / (total − warmup):
     *       floor + (1 − floor)·½(1 + cos(π·progress)).</li>
     * </ul>
     * Unlike HF, progress is capped at 1, so steps past {@code totalSteps} stay at the floor
     * instead of climbing back up the cosine.
     *
     * @param warmupSteps updates spent ramping up, 0 ≤ warmupSteps ≤ totalSteps
     * @param totalSteps  the update at which the decay reaches the floor, &gt; 0
     * @param floor       the final factor as a fraction of the peak, in [0, 1] (HF's
     *                    {@code min_lr_rate}; 0 for {@code get_cosine_schedule_with_warmup})
     */
    record WarmupCosine(long warmupSteps, long totalSteps, double floor) implements LearningRateSchedule {
        public WarmupCosine {
            requireSteps(warmupSteps, totalSteps);
            if (!(floor >= 0 && floor <= 1)) {
                throw new IllegalArgumentException("schedule.floor must be in [0, 1] (a fraction of the peak learning rate), got "
                        + floor);
            }
        }

        @Override
        public double at(long step) {
            requireNonNegative(step);
            if (step < warmupSteps) {
                return (double) step / Math.max(1, warmupSteps);
            }
            double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
            double cosine = 0.5 * (1.0 + Math.cos(Math.PI * progress));
            return floor + (1 - floor) * cosine;
        }
    }

    /**
     * {@code get_linear_schedule_with_warmup}:
     * <ul>
     *   <li>step &lt; warmup: step / warmup;</li>
     *   <li>then max(0, (total − step) / (total − warmup)), reaching 0 at {@code totalSteps}.</li>
     * </ul>
     *
     * @param warmupSteps updates spent ramping up, 0 ≤ warmupSteps ≤ totalSteps
     * @param totalSteps  the update at which the factor reaches 0, &gt; 0
     */
    record WarmupLinear(long warmupSteps, long totalSteps) implements LearningRateSchedule {
        public WarmupLinear {
            requireSteps(warmupSteps, totalSteps);
        }

        @Override
        public double at(long step) {
            requireNonNegative(step);
            if (step < warmupSteps) {
                return (double) step / Math.max(1, warmupSteps);
            }
            return Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
        }
    }

    private static void requireSteps(long warmupSteps, long totalSteps) {
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("schedule.totalSteps must be > 0, got " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("schedule.warmupSteps must be in [0, totalSteps = " + totalSteps + "], got "
                    + warmupSteps);
        }
    }

    private static void requireNonNegative(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("schedule step is counted from 0, got " + step);
        }
    }
}
