package org.jalign.eval;

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

    /** A completion length rule: its number of tokens, EOS included. */
    public static Scorer completionLength() {
        return new Scorer("length", (prompts, completions) -> {
            float[] out = new float[completions.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = completions.get(i).length;
            }
            return out;
        }, Direction.HIGHER_IS_BETTER, Double.NaN);
    }
}
