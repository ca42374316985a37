package org.jalign.constitution;

import java.util.List;

/**
 * A judge of two completions of one prompt under one principle: the probability that the one shown
 * first is preferred. The seam of the RLAIF stage: {@link LogProbJudge} asks a language model; a
 * rule, a reward model or a remote API are other implementations. Position bias is the caller's
 * concern ({@link AiFeedback} asks in both orders).
 */
@FunctionalInterface
public interface PreferenceJudge {

    /** One question to a judge: under {@code principle}, is {@code first} better than {@code second}? */
    record Comparison(Principle principle, String prompt, String first, String second) {
        public Comparison {
            java.util.Objects.requireNonNull(principle, "principle");
            java.util.Objects.requireNonNull(prompt, "prompt");
            java.util.Objects.requireNonNull(first, "first");
            java.util.Objects.requireNonNull(second, "second");
        }
    }

    /** P(first preferred), in [0, 1]. */
    double probabilityFirstPreferred(Comparison comparison);

    /** Many comparisons; implementations that batch model calls override this. */
    default double[] probabilitiesFirstPreferred(List<Comparison> comparisons) {
        double[] out = new double[comparisons.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = probabilityFirstPreferred(comparisons.get(i));
        }
        return out;
    }
}
