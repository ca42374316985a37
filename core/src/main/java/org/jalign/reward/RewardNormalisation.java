package org.jalign.reward;

/**
 * An affine map r ↦ gain·r + bias applied to a reward model's raw output, fixed once after
 * training so that the rewards of reference samples have mean 0 and standard deviation 1
 * (Ziegler et al. 2019 and lm-human-preferences: "normalise the reward model once, with a gain and
 * bias"; then PPO's KL coefficient means the same thing whatever scale the model learned). The
 * pairwise loss is blind to both, so they change no preference.
 */
public record RewardNormalisation(double gain, double bias) {

    public RewardNormalisation {
        if (!Double.isFinite(gain) || gain == 0 || !Double.isFinite(bias)) {
            throw new IllegalArgumentException("reward normalisation needs a finite non-zero gain and a finite bias, got gain "
                    + gain + ", bias " + bias);
        }
    }

    /** No change: gain 1, bias 0. */
    public static RewardNormalisation identity() {
        return new RewardNormalisation(1, 0);
    }

    public double apply(double raw) {
        return gain * raw + bias;
    }

    /**
     * Gain 1/σ and bias −μ/σ for the mean μ and population standard deviation σ of {@code raw}:
     * the normalised values have mean 0 and standard deviation 1. With σ = 0 (all equal) the gain
     * stays 1 and only the mean is removed.
     */
    public static RewardNormalisation fit(double[] raw) {
        if (raw.length == 0) {
            throw new IllegalArgumentException("normalisation needs at least one reward");
        }
        double mean = 0;
        for (double r : raw) {
            mean += r;
        }
        mean /= raw.length;
        double squares = 0;
        for (double r : raw) {
            squares += (r - mean) * (r - mean);
        }
        double std = Math.sqrt(squares / raw.length);
        return std > 0 ? new RewardNormalisation(1 / std, -mean / std) : new RewardNormalisation(1, -mean);
    }
}
