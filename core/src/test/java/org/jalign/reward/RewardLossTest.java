package org.jalign.reward;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.jalign.feedback.FlagPolicy;
import org.jalign.feedback.Placement;
import org.jalign.feedback.PreferencePair;
import org.jalign.feedback.PreferencePairs;
import org.jalign.feedback.Ranking;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The loss against values worked by hand, the K-ranked pairs against feedback's own pair rule, gradients against finite differences. */
class RewardLossTest {
    // ln(1 + e^−1), ln(1 + e^−2), ln(1 + e^2), ln(1 + e^−0.5), ln 2: the worked values below
    private static final double SOFTPLUS_MINUS_1 = 0.31326168751822286;
    private static final double SOFTPLUS_MINUS_2 = 0.12692801104297263;
    private static final double SOFTPLUS_2 = 2.1269280110429727;
    private static final double SOFTPLUS_MINUS_HALF = 0.47407698418010663;
    private static final double LN_2 = 0.6931471805599453;

    @Test
    void logSigmoidIsExactAtBothExtremes() {
        assertThat(RewardLoss.logSigmoid(0)).isCloseTo(-LN_2, within(1e-15));
        assertThat(RewardLoss.logSigmoid(1000)).isEqualTo(-0.0);            // e^−1000 underflows; no log(0)
        assertThat(RewardLoss.logSigmoid(-1000)).isCloseTo(-1000, within(1e-12));   // not −inf
        assertThat(RewardLoss.logSigmoid(40)).isCloseTo(-Math.exp(-40), within(1e-30));   // the tiny term survives
    }

    @Test
    void pairLossWithAndWithoutMargin() {
        // r_c = 2, r_r = 1: −log σ(1) = ln(1 + e^−1)
        assertThat(RewardLoss.pairLoss(2, 1, 0)).isCloseTo(SOFTPLUS_MINUS_1, within(1e-15));
        // margin 0.5 (Llama 2): −log σ(1 − 0.5) = ln(1 + e^−0.5)
        assertThat(RewardLoss.pairLoss(2, 1, 0.5)).isCloseTo(SOFTPLUS_MINUS_HALF, within(1e-15));
    }

    @Test
    void batchLossWithMarginAndCentringWorkedByHand() {
        // rows: 0 = 2.0, 1 = 1.0, 2 = 0.5, 3 = 1.5; pairs (0 > 1, m 0) and (2 > 3, m 1), weights ½ each
        double[] rewards = {2, 1, 0.5, 1.5};
        List<RewardLoss.Pair> pairs = List.of(new RewardLoss.Pair(0, 1, 0), new RewardLoss.Pair(2, 3, 1));
        double[] weights = RewardLoss.groupWeights(new int[] {1, 1});
        assertThat(weights).containsExactly(0.5, 0.5);
        // pair 2: x = 0.5 − 1.5 − 1 = −2, −log σ(−2) = ln(1 + e^2)
        double plain = 0.5 * (SOFTPLUS_MINUS_1 + SOFTPLUS_2);
        assertThat(RewardLoss.loss(rewards, pairs, weights, 0)).isCloseTo(plain, within(1e-14));
        // centring 0.01·mean((r_c + r_r)²) = 0.01·(9 + 4)/2 = 0.065 (TRL's center_rewards_coefficient)
        assertThat(RewardLoss.loss(rewards, pairs, weights, 0.01)).isCloseTo(plain + 0.065, within(1e-14));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray r = m.create(rewards);
            assertThat(RewardLoss.loss(r, pairs, weights, 0.01).getDouble()).isCloseTo(plain + 0.065, within(1e-14));
            NDArray f = m.create(new float[] {2, 1, 0.5f, 1.5f});
            assertThat((double) RewardLoss.loss(f, pairs, weights, 0).getFloat()).isCloseTo(plain, within(1e-6));
        }
        assertThat(RewardLoss.accuracy(new float[] {2, 1, 0.5f, 1.5f}, pairs)).isEqualTo(0.5);
        assertThat(RewardLoss.meanMargin(new float[] {2, 1, 0.5f, 1.5f}, pairs)).isCloseTo(0.0, within(1e-7));
        assertThat(RewardLoss.accuracy(new float[] {1, 1}, List.of(new RewardLoss.Pair(0, 1, 0)))).isZero();   // a tie is wrong
    }

    @Test
    void rankedPairsSkipTiesAndLetFlaggedLose() {
        // ranks 2, 1, flagged, 2, 3: C(5,2) = 10 pairs less the tie (0, 3) = 9
        List<RewardLoss.Pair> pairs = RewardLoss.rankedPairs(Arrays.asList(2, 1, null, 2, 3));
        assertThat(pairs).extracting(p -> p.better() + ">" + p.worse()).containsExactly(
                "1>0", "0>2", "0>4", "1>2", "1>3", "1>4", "3>2", "4>2", "3>4");
        assertThat(pairs).allMatch(p -> p.margin() == 0);
        assertThat(RewardLoss.rankedPairs(Arrays.asList(null, null))).isEmpty();
        assertThat(RewardLoss.rankedPairs(List.of(1, 1, 1))).isEmpty();
    }

    @Test
    void rankedPairsAgreeWithTheFeedbackExportRule() {
        // an independent implementation: feedback's PreferencePairs, which `feedback export --format pairs` uses
        SplittableRandom random = new SplittableRandom(5);
        for (int trial = 0; trial < 200; trial++) {
            int k = 2 + random.nextInt(5);
            List<Integer> ranks = new ArrayList<>();
            List<Placement> placements = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                Integer rank = random.nextInt(5) == 0 ? null : 1 + random.nextInt(k);
                ranks.add(rank);
                placements.add(rank == null ? new Placement.Flag() : new Placement.Rank(rank));
            }
            Set<String> expected = PreferencePairs.of("p", new Ranking(placements), 1, FlagPolicy.LOSES_TO_RANKED).stream()
                    .map((PreferencePair p) -> p.chosen() + ">" + p.rejected()).collect(Collectors.toSet());
            Set<String> actual = RewardLoss.rankedPairs(ranks).stream()
                    .map(p -> p.better() + ">" + p.worse()).collect(Collectors.toSet());
            assertThat(actual).as("ranks " + ranks).isEqualTo(expected);
        }
    }

    @Test
    void kRankedLossAveragesEachPromptsPairsThenThePrompts() {
        // prompt A: K = 3 ranked 1, 2, 3 with rewards 1, 0, −1 → pairs with x = 1, 2, 1
        // prompt B: one pair with rewards 0, 0 → ln 2
        double[] rewards = {1, 0, -1, 0, 0};
        List<RewardLoss.Pair> pairs = new ArrayList<>(RewardLoss.rankedPairs(List.of(1, 2, 3)));
        assertThat(pairs).hasSize(3);   // C(3, 2)
        pairs.add(new RewardLoss.Pair(0, 1, 0).shifted(3));
        double[] weights = RewardLoss.groupWeights(new int[] {3, 1});
        assertThat(weights).containsExactly(1.0 / 6, 1.0 / 6, 1.0 / 6, 0.5);
        double promptA = (2 * SOFTPLUS_MINUS_1 + SOFTPLUS_MINUS_2) / 3;
        double expected = (promptA + LN_2) / 2;
        assertThat(RewardLoss.loss(rewards, pairs, weights, 0)).isCloseTo(expected, within(1e-14));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(RewardLoss.loss(m.create(rewards), pairs, weights, 0).getDouble()).isCloseTo(expected, within(1e-14));
        }
    }

    @Test
    void gradientMatchesCentralDifferences() {
        SplittableRandom random = new SplittableRandom(11);
        double[] rewards = new double[7];
        for (int i = 0; i < rewards.length; i++) {
            rewards[i] = random.nextGaussian() * 2;
        }
        rewards[6] = 40;   // a far-apart pair: the stable form must still give a finite, exact gradient
        List<RewardLoss.Pair> pairs = List.of(new RewardLoss.Pair(0, 1, 0), new RewardLoss.Pair(2, 1, 0.7),
                new RewardLoss.Pair(3, 4, 0), new RewardLoss.Pair(4, 5, -0.3), new RewardLoss.Pair(3, 5, 0),
                new RewardLoss.Pair(5, 6, 0), new RewardLoss.Pair(6, 0, 1));
        double[] weights = RewardLoss.groupWeights(new int[] {2, 3, 2});
        double center = 0.05;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray r = m.create(rewards);
            r.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(RewardLoss.loss(r, pairs, weights, center));
            }
            double[] gradient = r.getGradient().toDoubleArray();
            double h = 1e-6;
            for (int i = 0; i < rewards.length; i++) {
                double[] up = rewards.clone();
                double[] down = rewards.clone();
                up[i] += h;
                down[i] -= h;
                double numeric = (RewardLoss.loss(m.create(up), pairs, weights, center).getDouble()
                        - RewardLoss.loss(m.create(down), pairs, weights, center).getDouble()) / (2 * h);
                assertThat(gradient[i]).as("d loss / d r[%d]", i).isCloseTo(numeric, within(1e-7));
            }
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> new RewardLoss.Pair(1, 1, 0)).hasMessageContaining("two different rows");
        assertThatThrownBy(() -> new RewardLoss.Pair(0, 1, Double.NaN)).hasMessageContaining("finite");
        assertThatThrownBy(() -> RewardLoss.groupWeights(new int[] {2, 0})).hasMessageContaining("at least one pair");
        assertThatThrownBy(() -> RewardLoss.loss(new double[] {1, 2}, List.of(new RewardLoss.Pair(0, 1, 0)),
                new double[] {0.5, 0.5}, 0)).hasMessageContaining("1 pairs but 2 weights");
    }
}
