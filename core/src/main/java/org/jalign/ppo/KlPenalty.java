package org.jalign.ppo;

/**
 * The KL penalty between the policy π and the frozen reference π_ref, per token of a sampled
 * response (Ziegler et al. 2019 eq. 2; Stiennon et al. 2020 eq. 1), and John Schulman's
 * estimators of KL(π ‖ π_ref) from samples of π ("Approximating KL divergence", 2020):
 *
 * <pre>
 *   k1 = log π − log π_ref                     unbiased, can be negative per token
 *   k3 = (ρ − 1) − log ρ,  ρ = π_ref / π       unbiased, never negative
 * </pre>
 *
 * The shaped reward of token t is −β·k1_t, and the scalar score of the whole response is added at
 * its last real token (TRL {@code compute_rewards}). Arrays are response-aligned (B, R); only the
 * first {@code lengths[r]} columns of row r are read, masked positions (after EOS) come back 0.
 */
public final class KlPenalty {
    private KlPenalty() {
    }

    /** Which estimator. */
    public enum Estimator { K1, K3 }

    public static double k1(double logProb, double referenceLogProb) {
        return logProb - referenceLogProb;
    }

    public static double k3(double logProb, double referenceLogProb) {
        double logRatio = referenceLogProb - logProb;   // log ρ
        return Math.expm1(logRatio) - logRatio;
    }

    /**
     * r_t = −β·(log π_t − log π_ref,t), plus {@code scores[r]} at t = lengths[r] − 1.
     *
     * @return (B, R), 0 at masked positions
     */
    public static double[][] shapedRewards(double[][] logProbs, double[][] referenceLogProbs, int[] lengths,
                                           double[] scores, double beta) {
        double[][] rewards = new double[logProbs.length][];
        for (int r = 0; r < logProbs.length; r++) {
            rewards[r] = new double[logProbs[r].length];
            for (int t = 0; t < lengths[r]; t++) {
                rewards[r][t] = -beta * k1(logProbs[r][t], referenceLogProbs[r][t]);
            }
            if (lengths[r] == 0) {
                throw new IllegalArgumentException("row " + r + " has no response token to put its score on");
            }
            rewards[r][lengths[r] - 1] += scores[r];
        }
        return rewards;
    }

    /** The KL of each whole response: the estimator summed over its real tokens. */
    public static double[] perSequence(double[][] logProbs, double[][] referenceLogProbs, int[] lengths,
                                       Estimator estimator) {
        double[] kl = new double[logProbs.length];
        for (int r = 0; r < logProbs.length; r++) {
            for (int t = 0; t < lengths[r]; t++) {
                kl[r] += estimator == Estimator.K1 ? k1(logProbs[r][t], referenceLogProbs[r][t])
                        : k3(logProbs[r][t], referenceLogProbs[r][t]);
            }
        }
        return kl;
    }

    /** The mean over rows of {@link #perSequence}: what is logged and what the KL controller sees. */
    public static double mean(double[][] logProbs, double[][] referenceLogProbs, int[] lengths, Estimator estimator) {
        double[] kl = perSequence(logProbs, referenceLogProbs, lengths, estimator);
        double sum = 0;
        for (double v : kl) {
            sum += v;
        }
        return sum / kl.length;
    }
}
