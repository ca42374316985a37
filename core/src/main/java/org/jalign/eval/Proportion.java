package org.jalign.eval;

/**
 * A share of successes out of n trials with its 95% Wilson score interval (Wilson 1927; Agresti
 * and Coull 1998 recommend it over the normal "Wald" interval, which collapses to a point at 0 and
 * 1 and undercovers for small n):
 *
 * <pre>
 *   centre    = (p̂ + z²/2n) / (1 + z²/n)
 *   halfWidth = z·√(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n)
 * </pre>
 *
 * @param successes may be fractional: a win rate counts a tie as half a win
 */
public record Proportion(double successes, int trials, double rate, double lower95, double upper95) {

    public Proportion {
        if (trials < 0 || successes < 0 || successes > trials) {
            throw new IllegalArgumentException("need 0 <= successes <= trials, got " + successes + " of " + trials);
        }
    }

    /** The share {@code successes / trials} and its Wilson interval (all NaN for no trials). */
    public static Proportion of(double successes, int trials) {
        if (trials == 0) {
            return new Proportion(successes, 0, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] interval = wilson(successes / trials, trials, Estimate.Z95);
        // at p̂ = 0 and 1 the interval ends exactly at 0 and 1; rounding would leave 1 − 1e-16
        double lower = successes == 0 ? 0 : interval[0];
        double upper = successes == trials ? 1 : interval[1];
        return new Proportion(successes, trials, successes / trials, lower, upper);
    }

    /** The Wilson score interval {lower, upper} for a share {@code p} of {@code n} trials at normal quantile {@code z}. */
    public static double[] wilson(double p, int n, double z) {
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denominator;
        double halfWidth = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
        // the formula stays within [0, 1]; clamp only the rounding at the ends
        return new double[] {Math.max(0, centre - halfWidth), Math.min(1, centre + halfWidth)};
    }
}
