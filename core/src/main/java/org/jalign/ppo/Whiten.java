package org.jalign.ppo;

/**
 * Whitening over the valid tokens of a batch (TRL {@code masked_whiten}; "The N implementation
 * details of RLHF with PPO" §"Normalize advantages"): (x − mean) / √(var + 1e−8), mean and the
 * unbiased variance taken over the first {@code lengths[r]} columns of each row only.
 *
 * <p>Advantages are whitened with the shift (mean 0, std 1). Rewards, if whitened at all, keep
 * their mean ({@code shiftMean = false}): subtracting it would erase the KL penalty's signal
 * (rlhf-details.md, "Rewards and advantages"). Masked positions are never read and come back 0.
 */
public final class Whiten {
    private static final double EPSILON = 1e-8;

    private Whiten() {
    }

    /** Mean and unbiased variance of the valid entries (variance 0 when fewer than 2). */
    public record Moments(double mean, double variance, long count) {
    }

    public static Moments moments(double[][] x, int[] lengths) {
        long n = 0;
        double sum = 0;
        for (int r = 0; r < x.length; r++) {
            for (int t = 0; t < lengths[r]; t++) {
                sum += x[r][t];
                n++;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("nothing to whiten: every row has length 0");
        }
        double mean = sum / n;
        double squares = 0;
        for (int r = 0; r < x.length; r++) {
            for (int t = 0; t < lengths[r]; t++) {
                squares += (x[r][t] - mean) * (x[r][t] - mean);
            }
        }
        return new Moments(mean, n > 1 ? squares / (n - 1) : 0, n);
    }

    /**
     * @param shiftMean true: mean 0 (advantages); false: the mean is added back (rewards)
     */
    public static double[][] whiten(double[][] x, int[] lengths, boolean shiftMean) {
        Moments m = moments(x, lengths);
        double scale = 1 / Math.sqrt(m.variance() + EPSILON);
        double[][] out = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            out[r] = new double[x[r].length];
            for (int t = 0; t < lengths[r]; t++) {
                out[r][t] = (x[r][t] - m.mean()) * scale + (shiftMean ? 0 : m.mean());
            }
        }
        return out;
    }
}
