package org.jalign.eval;

import org.jalign.reward.ClassifierReward;
import org.jalign.reward.RewardFunction;

import java.util.Objects;

/**
 * A named score of every completion: a reward model, a classifier's probability, a rule. Each
 * policy gets its mean ± s.e.; with a threshold, also the share of completions at or above it
 * (a toxicity classifier "flags" a completion when p(toxic) ≥ 0.5); and each policy's win rate
 * against the baseline compares the two scores of a prompt in the scorer's {@link Direction}.
 *
 * @param flagThreshold NaN when the scorer flags nothing
 */
public record Scorer(String name, RewardFunction function, Direction direction, double flagThreshold) {

    public Scorer {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(direction, "direction");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a scorer needs a name");
        }
        if (Double.isInfinite(flagThreshold)) {
            throw new IllegalArgumentException("scorer " + name + ": the flag threshold must be finite (NaN = none), got "
                    + flagThreshold);
        }
    }

    /** A reward: higher is better, flags nothing. */
    public static Scorer reward(String name, RewardFunction function) {
        return new Scorer(name, function, Direction.HIGHER_IS_BETTER, Double.NaN);
    }

    public boolean flags() {
        return !Double.isNaN(flagThreshold);
    }

    /**
     * A classifier's class as a probability p(class) = exp(log p), named {@code p(LABEL)}, flagged
     * at p ≥ {@code threshold}; for a toxicity classifier's "toxic" class, lower is better.
     *
     * @param classifier loaded in {@link ClassifierReward.Mode#LOG_PROBABILITY} mode
     */
    public static Scorer probability(ClassifierReward classifier, Direction direction, double threshold) {
        if (classifier.mode() != ClassifierReward.Mode.LOG_PROBABILITY) {
            throw new IllegalArgumentException("a probability scorer needs the classifier in LOG_PROBABILITY mode, got "
                    + classifier.mode());
        }
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("the flag threshold must be in (0, 1), got " + threshold);
        }
        return new Scorer("p(" + classifier.labels().get(classifier.label()) + ")", (prompts, completions) -> {
            float[] logProbabilities = classifier.score(prompts, completions);
            float[] p = new float[logProbabilities.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) Math.exp(logProbabilities[i]);
            }
            return p;
        }, direction, threshold);
    }
}
