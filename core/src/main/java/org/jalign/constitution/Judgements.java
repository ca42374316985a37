package org.jalign.constitution;

/**
 * The arithmetic of AI preference labels, on plain doubles.
 *
 * <ul>
 *   <li>From the judge's next-token logits of the two answer tokens, the probability of "A"
 *       normalised over the two answers: e^a / (e^a + e^b) = σ(a − b) (Bai et al. 2022 §4.1,
 *       Lee et al. 2023 §2.1: the soft label is the answer tokens' probabilities renormalised).</li>
 *   <li>Position bias removed by asking in both orders: with p₁ = P(A | x shown first) and
 *       p₂ = P(A | y shown first), P(x ≻ y) = ½(p₁ + 1 − p₂) (Lee et al. 2023 §2.1.1, "we
 *       average the preference distribution over both orders"). It is antisymmetric by
 *       construction: P(x ≻ y) + P(y ≻ x) = 1.</li>
 *   <li>Several principles: the mean of the per-principle debiased probabilities (Bai et al.
 *       2022 §4.1 average over an ensemble of principles).</li>
 * </ul>
 */
public final class Judgements {
    private Judgements() {
    }

    /** σ(a − b), stable for any sign of a − b. */
    public static double firstAnswerProbability(double logitA, double logitB) {
        double d = logitA - logitB;
        if (Double.isNaN(d)) {
            throw new IllegalArgumentException("answer logits must be numbers, got " + logitA + " and " + logitB);
        }
        return d >= 0 ? 1 / (1 + Math.exp(-d)) : Math.exp(d) / (1 + Math.exp(d));
    }

    /**
     * P(x ≻ y) from both orders.
     *
     * @param xFirst P(first preferred) when x is shown first (as A)
     * @param yFirst P(first preferred) when y is shown first (as A)
     */
    public static double orderDebiased(double xFirst, double yFirst) {
        requireProbability(xFirst);
        requireProbability(yFirst);
        return 0.5 * (xFirst + (1 - yFirst));
    }

    /** The mean of per-principle probabilities. */
    public static double mean(double[] probabilities) {
        if (probabilities.length == 0) {
            throw new IllegalArgumentException("no probabilities to average");
        }
        double sum = 0;
        for (double p : probabilities) {
            requireProbability(p);
            sum += p;
        }
        return sum / probabilities.length;
    }

    /**
     * The Bradley–Terry reward difference a preference probability implies, log(p / (1 − p)):
     * under P(x ≻ y) = σ(r_x − r_y) it is r_x − r_y. Written as the pair's {@code margin}.
     */
    public static double logOdds(double p) {
        requireProbability(p);
        return Math.log(p) - Math.log1p(-p);
    }

    /** Kept when |p − ½| ≥ minConfidence (a judge near ½ has no preference to teach). */
    public static boolean confident(double p, double minConfidence) {
        return Math.abs(p - 0.5) >= minConfidence;
    }

    private static void requireProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("a probability must be in [0, 1], got " + p);
        }
    }
}
