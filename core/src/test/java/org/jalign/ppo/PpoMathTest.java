package org.jalign.ppo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * GAE, whitening, the KL estimators and shaped rewards, the KL controllers and the PPO loss
 * against numbers worked by hand (in the comments). Masked positions hold NaN or ±1e30 in every
 * test: a result that read them would not be finite or would not match.
 */
class PpoMathTest {
    private static final double NAN = Double.NaN;
    private static final double HUGE = 1e30;

    @Test
    void gaeRunsBackwardsOverTheRealTokensOnly() {
        // γ = 1, λ = 0.5, r = [0, 0, 1], V = [0.5, 0.2, 0.1]:
        // t=2: δ = 1 − 0.1 = 0.9, A = 0.9, R = 1.0
        // t=1: δ = 0 + 0.1 − 0.2 = −0.1, A = −0.1 + 0.5·0.9 = 0.35, R = 0.55
        // t=0: δ = 0 + 0.2 − 0.5 = −0.3, A = −0.3 + 0.5·0.35 = −0.125, R = 0.375
        Gae.Result g = Gae.compute(new double[][] {{0, 0, 1, NAN}}, new double[][] {{0.5, 0.2, 0.1, HUGE}},
                new int[] {3}, 1.0, 0.5);
        assertThat(g.advantages()[0]).containsExactly(new double[] {-0.125, 0.35, 0.9, 0}, within(1e-12));
        assertThat(g.returns()[0]).containsExactly(new double[] {0.375, 0.55, 1.0, 0}, within(1e-12));
        // γ = 0.9, λ = 1 (Monte Carlo): A_0 = r_0 + γ r_1 − V_0 = 1 + 0.9·2 − 0 = 2.8; A_1 = 2 − 1 = 1
        Gae.Result mc = Gae.compute(new double[][] {{1, 2, NAN}, {NAN, NAN, NAN}}, new double[][] {{0, 1, NAN}, {NAN, 1, 2}},
                new int[] {2, 0}, 0.9, 1.0);
        assertThat(mc.advantages()[0]).containsExactly(new double[] {2.8, 1, 0}, within(1e-12));
        assertThat(mc.returns()[0]).containsExactly(new double[] {2.8, 2, 0}, within(1e-12));
        assertThat(mc.advantages()[1]).containsOnly(0.0);
    }

    @Test
    void whiteningUsesTheValidTokensAndKeepsTheMeanOnlyWhenAsked() {
        // valid {1, 2, 3, 4}: mean 2.5, unbiased variance (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3
        double[][] x = {{1, 2, 3}, {4, NAN, HUGE}};
        int[] lengths = {3, 1};
        double std = Math.sqrt(5.0 / 3 + 1e-8);
        double[][] shifted = Whiten.whiten(x, lengths, true);
        assertThat(shifted[0]).containsExactly(new double[] {-1.5 / std, -0.5 / std, 0.5 / std}, within(1e-12));
        assertThat(shifted[1]).containsExactly(new double[] {1.5 / std, 0, 0}, within(1e-12));
        assertThat(shifted[0][0]).isCloseTo(-1.161895, within(1e-6));
        double[][] kept = Whiten.whiten(x, lengths, false);
        assertThat(kept[0][0]).isCloseTo(2.5 - 1.161895, within(1e-6));
        assertThat(Whiten.moments(kept, lengths).mean()).isCloseTo(2.5, within(1e-12));
        assertThatThrownBy(() -> Whiten.whiten(x, new int[] {0, 0}, true)).hasMessageContaining("length 0");
    }

    @Test
    void klEstimatorsAndShapedRewards() {
        double half = Math.log(0.5);
        double quarter = Math.log(0.25);
        // π = 0.5, π_ref = 0.25: k1 = ln 2; ρ = 0.5, k3 = −0.5 + ln 2
        assertThat(KlPenalty.k1(half, quarter)).isCloseTo(0.693147, within(1e-6));
        assertThat(KlPenalty.k3(half, quarter)).isCloseTo(0.193147, within(1e-6));
        // π = 0.25, π_ref = 0.5: k1 = −ln 2 (negative per token); ρ = 2, k3 = 1 − ln 2
        assertThat(KlPenalty.k1(quarter, half)).isCloseTo(-0.693147, within(1e-6));
        assertThat(KlPenalty.k3(quarter, half)).isCloseTo(0.306853, within(1e-6));
        assertThat(KlPenalty.k3(half, half)).isZero();

        // β = 0.1: r = [−0.1·ln 2, +0.1·ln 2 + score 1], masked column 0
        double[][] logProbs = {{half, quarter, NAN}};
        double[][] reference = {{quarter, half, HUGE}};
        double[][] r = KlPenalty.shapedRewards(logProbs, reference, new int[] {2}, new double[] {1.0}, 0.1);
        assertThat(r[0]).containsExactly(new double[] {-0.0693147, 1.0693147, 0}, within(1e-6));
        assertThat(KlPenalty.perSequence(logProbs, reference, new int[] {2}, KlPenalty.Estimator.K1)[0])
                .isCloseTo(0, within(1e-12));
        assertThat(KlPenalty.mean(logProbs, reference, new int[] {2}, KlPenalty.Estimator.K3))
                .isCloseTo(0.193147 + 0.306853, within(1e-6));
    }

    @Test
    void adaptiveControllerFollowsZieglerEtAl() {
        KlController start = new KlController.Adaptive(0.2, 6, 10000);
        // KL 9: e = clip(0.5) = 0.2; β = 0.2·(1 + 0.2·256/10000) = 0.201024
        assertThat(start.update(9, 256).coefficient()).isCloseTo(0.201024, within(1e-12));
        // KL 3: e = clip(−0.5) = −0.2; β = 0.2·(1 − 0.00512) = 0.198976
        assertThat(start.update(3, 256).coefficient()).isCloseTo(0.198976, within(1e-12));
        // KL 6.6: e = 0.1; β = 0.2·(1 + 0.1·256/10000) = 0.200512
        assertThat(start.update(6.6, 256).coefficient()).isCloseTo(0.200512, within(1e-12));
        // repeatedly above target, β grows; below, it shrinks; the fixed controller never moves
        KlController up = start;
        KlController down = start;
        for (int i = 0; i < 50; i++) {
            up = up.update(12, 64);
            down = down.update(1, 64);
        }
        assertThat(up.coefficient()).isGreaterThan(0.2 * Math.pow(1.00128, 49));
        assertThat(down.coefficient()).isLessThan(0.2 * Math.pow(0.99872, 49));
        assertThat(new KlController.Fixed(0.05).update(100, 64).coefficient()).isEqualTo(0.05);
        assertThatThrownBy(() -> new KlController.Adaptive(0.2, 0, 10000)).hasMessageContaining("target KL must be > 0");
        assertThatThrownBy(() -> new KlController.Fixed(-1)).hasMessageContaining("must be >= 0");
    }

    @Test
    void ppoLossClipsRatioAndValueAndIgnoresMaskedTokens() {
        try (NDManager m = NDManager.newBaseManager()) {
            float nan = Float.NaN;
            // token 0: ρ = 1.5, A = 1 → max(−1.5, −1.2) = −1.2 (clipped)
            // token 1: ρ = 0.9, A = −2 → max(1.8, 1.8) = 1.8 (inside the range)
            // L_pg = (−1.2 + 1.8) / 2 = 0.3
            // values: V = 0.5, V_old = 0, R = 1 → max(0.25, (0.2 − 1)² = 0.64) = 0.64 (clipped)
            //         V = 1.0, V_old = 0.9, R = 1.1 → 0.01; L_v = ½·(0.65 / 2) = 0.1625
            // entropy mean 1.5; L = 0.3 + 0.5·0.1625 − 0.01·1.5 = 0.36625
            // approx-KL = ½·((ln 1.5)² + (ln 0.9)²) / 2 = 0.0438757
            NDArray logProbs = m.create(new float[] {(float) Math.log(1.5), (float) Math.log(0.9), nan}, new Shape(1, 3));
            NDArray old = m.create(new float[] {0, 0, nan}, new Shape(1, 3));
            NDArray advantages = m.create(new float[] {1, -2, nan}, new Shape(1, 3));
            NDArray values = m.create(new float[] {0.5f, 1.0f, Float.POSITIVE_INFINITY}, new Shape(1, 3));
            NDArray oldValues = m.create(new float[] {0, 0.9f, nan}, new Shape(1, 3));
            NDArray returns = m.create(new float[] {1, 1.1f, -1e30f}, new Shape(1, 3));
            NDArray entropy = m.create(new float[] {1, 2, nan}, new Shape(1, 3));
            NDArray mask = m.create(new float[] {1, 1, 0}, new Shape(1, 3));
            logProbs.setRequiresGradient(true);
            PpoLoss.Terms t;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                t = PpoLoss.compute(logProbs, old, advantages, values, oldValues, returns, entropy, mask,
                        new PpoLoss.Coefficients(0.2, 0.2, 0.5, 0.01));
                collector.backward(t.loss());
            }
            assertThat(t.policyLoss().getFloat()).isCloseTo(0.3f, within(1e-6f));
            assertThat(t.valueLoss().getFloat()).isCloseTo(0.1625f, within(1e-6f));
            assertThat(t.entropy().getFloat()).isCloseTo(1.5f, within(1e-6f));
            assertThat(t.loss().getFloat()).isCloseTo(0.36625f, within(1e-6f));
            assertThat(t.approxKl().getFloat()).isCloseTo(0.0438757f, within(1e-6f));
            assertThat(t.clipFraction().getFloat()).isEqualTo(0.5f);
            assertThat(t.valueClipFraction().getFloat()).isEqualTo(0.5f);
            assertThat(t.ratioMean().getFloat()).isCloseTo(1.2f, within(1e-6f));
            assertThat(t.ratioMaxDeviation().getFloat()).isCloseTo(0.5f, within(1e-6f));
            // ∂L/∂log π: token 0 clipped → 0; token 1: −A·ρ / 2 = 2·0.9 / 2 = 0.9; masked → 0, not NaN
            assertThat(logProbs.getGradient().toFloatArray()).containsExactly(new float[] {0, 0.9f, 0}, within(1e-6f));
        }
    }
}
