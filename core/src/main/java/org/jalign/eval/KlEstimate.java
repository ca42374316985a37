package org.jalign.eval;

/**
 * KL(π ‖ π_ref) of whole completions, estimated from completions the policy π sampled itself
 * (Schulman 2020, "Approximating KL divergence"). Per completion, with the log-probs of its
 * sampled tokens under both models and log r_t = log π_ref(x_t | x_&lt;t) − log π(x_t | x_&lt;t):
 *
 * <ul>
 *   <li>k1 = Σ_t −log r_t = log π(x) − log π_ref(x): unbiased for the sequence KL, but one sample
 *       can be negative;</li>
 *   <li>k3 = Σ_t (r_t − 1) − log r_t: also unbiased (given the prefix, E_π[r_t] = 1, so each
 *       extra term has mean 0) and never negative, with lower variance when the models are close.
 *       It is the per-token estimator TRL and OpenRLHF log, summed over the completion.</li>
 * </ul>
 * The mean over completions estimates the KL of the sampling distributions, so both models must
 * be scored at the temperature the completions were sampled at, and the sampler must draw from
 * that softmax alone (no top-k/top-p truncation).
 */
public final class KlEstimate {
    private KlEstimate() {
    }

    /** k1 of one completion: Σ (log π − log π_ref) over its tokens. */
    public static double k1(float[] policyLogProbs, float[] referenceLogProbs) {
        requireSameLength(policyLogProbs, referenceLogProbs);
        double sum = 0;
        for (int t = 0; t < policyLogProbs.length; t++) {
            sum += (double) policyLogProbs[t] - referenceLogProbs[t];
        }
        return sum;
    }

    /** k3 of one completion: Σ (r − 1) − log r with log r = log π_ref − log π per token. */
    public static double k3(float[] policyLogProbs, float[] referenceLogProbs) {
        requireSameLength(policyLogProbs, referenceLogProbs);
        double sum = 0;
        for (int t = 0; t < policyLogProbs.length; t++) {
            double logRatio = (double) referenceLogProbs[t] - policyLogProbs[t];
            sum += Math.expm1(logRatio) - logRatio;   // expm1: exact 0 when the models agree
        }
        return sum;
    }

    private static void requireSameLength(float[] policy, float[] reference) {
        if (policy.length != reference.length) {
            throw new IllegalArgumentException(policy.length + " policy log-probs but " + reference.length
                    + " reference log-probs for one completion");
        }
    }
}
