package org.jalign.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * The reward model's loss: pure functions, no model, no I/O.
 *
 * <p>Bradley–Terry pairwise loss (Ouyang et al. 2022, InstructGPT eq. 1; TRL's
 * {@code RewardTrainer}): for a pair where completion b was preferred to completion w,
 * <pre>
 *   ℓ = −log σ(r_b − r_w − m) + λ·(r_b + r_w)²
 * </pre>
 * <ul>
 *   <li>m: an optional margin from the data (Llama 2, Touvron et al. 2023, §3.2.2: a larger margin
 *       for pairs the labelers found more distinct); 0 without one;</li>
 *   <li>λ: TRL's {@code center_rewards_coefficient} (Eisenstein et al. 2023 "auxiliary loss"),
 *       which keeps rewards centred on 0 since the pairwise term is blind to a constant offset;</li>
 *   <li>−log σ(x) = softplus(−x), computed as max(−x, 0) + log(1 + e^(−|x|)) so that neither
 *       large positive nor large negative x overflows or loses the small term.</li>
 * </ul>
 *
 * <p>K-ranked form (InstructGPT §3.5): a prompt with K ranked completions gives every pair of
 * different ranks from one forward pass of the K completions, and its pairs are averaged, so a
 * prompt counts once in the batch however many pairs it has (InstructGPT: treating the C(K,2)
 * pairs as separate examples made the model overfit in one epoch). Tied ranks give no pair; a
 * flagged completion (rank null) loses to every ranked one and is tied with other flagged ones.
 * The batch loss is the mean over prompts of each prompt's mean pair loss: pair p of group g
 * weighs 1 / (G · n_g). For the pairs format (one pair per group) that is TRL's plain mean.
 */
public final class RewardLoss {

    /**
     * One comparison between two rows of a forward pass: row {@code better} was preferred to row
     * {@code worse}, by at least {@code margin}.
     */
    public record Pair(int better, int worse, double margin) {
        public Pair {
            if (better < 0 || worse < 0 || better == worse) {
                throw new IllegalArgumentException("a pair needs two different rows >= 0, got " + better + " and " + worse);
            }
            if (!Double.isFinite(margin)) {
                throw new IllegalArgumentException("a pair's margin must be finite, got " + margin);
            }
        }

        /** This pair with both rows moved by {@code offset} (its group's first row in a batch). */
        public Pair shifted(int offset) {
            return new Pair(better + offset, worse + offset, margin);
        }
    }

    private RewardLoss() {
    }

    /** log σ(x) = min(x, 0) − log(1 + e^(−|x|)), exact for large |x| of either sign. */
    public static double logSigmoid(double x) {
        return Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** One pair's Bradley–Terry loss −log σ(r_b − r_w − m), without the centring term. */
    public static double pairLoss(double betterReward, double worseReward, double margin) {
        return -logSigmoid(betterReward - worseReward - margin);
    }

    /**
     * The pairs of a ranked list, InstructGPT-style: for i < j, the better-ranked completion first;
     * equal ranks give no pair; a flagged completion ({@code null}) loses to every ranked one and
     * gives no pair with another flagged one. Margins are 0.
     *
     * @param ranks 1 = best, one per completion; ties allowed; null = flagged
     */
    public static List<Pair> rankedPairs(List<Integer> ranks) {
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < ranks.size(); i++) {
            for (int j = i + 1; j < ranks.size(); j++) {
                Integer a = ranks.get(i);
                Integer b = ranks.get(j);
                if (a == null && b == null || a != null && a.equals(b)) {
                    continue;
                }
                boolean iBetter = b == null || a != null && a < b;
                pairs.add(iBetter ? new Pair(i, j, 0) : new Pair(j, i, 0));
            }
        }
        return pairs;
    }

    /**
     * Each pair's weight in a batch of groups: 1 / (groups · pairs in its group), so the loss is
     * the mean over groups of each group's mean pair loss. Weights sum to 1.
     *
     * @param pairsPerGroup n_g for each group, each ≥ 1
     * @return one weight per pair, groups in order
     */
    public static double[] groupWeights(int[] pairsPerGroup) {
        int total = 0;
        for (int n : pairsPerGroup) {
            if (n < 1) {
                throw new IllegalArgumentException("every group needs at least one pair, got " + n);
            }
            total += n;
        }
        double[] weights = new double[total];
        int at = 0;
        for (int n : pairsPerGroup) {
            for (int k = 0; k < n; k++) {
                weights[at++] = 1.0 / ((double) pairsPerGroup.length * n);
            }
        }
        return weights;
    }

    /**
     * The weighted batch loss Σ_p w_p·[−log σ(r_b − r_w − m_p) + λ·(r_b + r_w)²] in float64, for
     * evaluation and as the worked form of {@link #loss(NDArray, List, double[], double)}.
     */
    public static double loss(double[] rewards, List<Pair> pairs, double[] weights, double centerCoefficient) {
        checkWeights(pairs, weights);
        double sum = 0;
        for (int p = 0; p < pairs.size(); p++) {
            double b = rewards[pairs.get(p).better()];
            double w = rewards[pairs.get(p).worse()];
            sum += weights[p] * (pairLoss(b, w, pairs.get(p).margin()) + centerCoefficient * (b + w) * (b + w));
        }
        return sum;
    }

    /**
     * The same loss on the rewards of a forward pass, differentiable (autograd flows into
     * {@code rewards}).
     *
     * @param rewards (N) float32 or float64; the pairs index its rows
     * @return a scalar on the manager of {@code rewards}
     */
    public static NDArray loss(NDArray rewards, List<Pair> pairs, double[] weights, double centerCoefficient) {
        checkWeights(pairs, weights);
        NDManager m = rewards.getManager();
        int n = pairs.size();
        long[] better = new long[n];
        long[] worse = new long[n];
        double[] margins = new double[n];
        for (int p = 0; p < n; p++) {
            better[p] = pairs.get(p).better();
            worse[p] = pairs.get(p).worse();
            margins[p] = pairs.get(p).margin();
        }
        NDArray rb = rewards.gather(m.create(better, new Shape(n)), 0);                 // (P)
        NDArray rw = rewards.gather(m.create(worse, new Shape(n)), 0);                  // (P)
        NDArray x = rb.sub(rw).sub(m.create(margins).toType(rewards.getDataType(), false));
        // −log σ(x) = max(−x, 0) + log(1 + e^(−|x|))
        NDArray perPair = x.neg().maximum(0).add(x.abs().neg().exp().add(1).log());     // (P)
        if (centerCoefficient != 0) {
            NDArray sum = rb.add(rw);
            perPair = perPair.add(sum.mul(sum).mul(centerCoefficient));
        }
        return perPair.mul(m.create(weights).toType(rewards.getDataType(), false)).sum();
    }

    /** Share of pairs whose better row scores strictly higher (ties count as wrong, as in OpenRLHF). */
    public static double accuracy(float[] rewards, List<Pair> pairs) {
        int right = 0;
        for (Pair p : pairs) {
            right += rewards[p.better()] > rewards[p.worse()] ? 1 : 0;
        }
        return pairs.isEmpty() ? Double.NaN : (double) right / pairs.size();
    }

    /** Mean of r_b − r_w over the pairs: how far apart the model puts preferred and rejected. */
    public static double meanMargin(float[] rewards, List<Pair> pairs) {
        double sum = 0;
        for (Pair p : pairs) {
            sum += rewards[p.better()] - rewards[p.worse()];
        }
        return pairs.isEmpty() ? Double.NaN : sum / pairs.size();
    }

    private static void checkWeights(List<Pair> pairs, double[] weights) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("the loss needs at least one pair");
        }
        if (weights.length != pairs.size()) {
            throw new IllegalArgumentException(pairs.size() + " pairs but " + weights.length + " weights");
        }
    }
}
