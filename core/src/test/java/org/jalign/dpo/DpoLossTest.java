package org.jalign.dpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Each loss against a value worked by hand, and its gradient with respect to every input against
 * central finite differences (float64 arrays, so the autograd path is what is checked).
 *
 * <p>The worked pair: π_c = −3, π_r = −5, ρ_c = ρ_r = −4, n_c = 2, n_r = 4, so the chosen
 * log-ratio is +1, the rejected −1 and h = 2. Constants: ln(1 + e^−1) = 0.31326168751822286,
 * ln(1 + e) = 1.3132616875182228, σ(−0.5) = 0.3775406687981454, σ(−1.5) = 0.18242552380635635.
 */
class DpoLossTest {
    private static final double SOFTPLUS_MINUS_1 = 0.31326168751822286;
    private static final double SOFTPLUS_1 = 1.3132616875182228;

    private static DpoLoss.PairLogProbs pair(NDManager m) {
        return new DpoLoss.PairLogProbs(m.create(new double[] {-3}), m.create(new double[] {-5}),
                m.create(new double[] {-4}), m.create(new double[] {-4}), m.create(new double[] {2}),
                m.create(new double[] {4}));
    }

    private static double value(NDArray a) {
        return a.toDoubleArray()[0];
    }

    @Test
    void sigmoidIsDpoAndLabelSmoothingAddsEpsilonTimesTheLogit() {
        try (NDManager m = NDManager.newBaseManager()) {
            // β = 0.5: βh = 1, ℓ = −log σ(1) = ln(1 + e^−1); rewards ±β·1
            DpoLoss.PairOutcome o = DpoLoss.sigmoid(pair(m), 0.5, 0);
            assertThat(value(o.losses())).isCloseTo(SOFTPLUS_MINUS_1, within(1e-15));
            assertThat(value(o.chosenRewards())).isEqualTo(0.5);
            assertThat(value(o.rejectedRewards())).isEqualTo(-0.5);
            // ε = 0.1: 0.9·ln(1 + e^−1) + 0.1·ln(1 + e) = ln(1 + e^−1) + 0.1, since softplus(x) − softplus(−x) = x
            assertThat(value(DpoLoss.sigmoid(pair(m), 0.5, 0.1).losses())).isCloseTo(SOFTPLUS_MINUS_1 + 0.1, within(1e-15));
        }
    }

    @Test
    void sigmoidIsLogTwoWhenPolicyEqualsReference() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray same = m.create(new double[] {-7.25, -1.5});
            NDArray tokens = m.create(new double[] {3, 1});
            DpoLoss.PairOutcome o = DpoLoss.sigmoid(new DpoLoss.PairLogProbs(same, same.add(-2), same, same.add(-2),
                    tokens, tokens), 0.1, 0);
            assertThat(o.losses().toDoubleArray()).containsExactly(Math.log(2), Math.log(2));
            assertThat(o.chosenRewards().toDoubleArray()).containsExactly(0, 0);
        }
    }

    @Test
    void ipoAveragesPerTokenAndAimsAtOneOverTwoBeta() {
        try (NDManager m = NDManager.newBaseManager()) {
            // per token: chosen +1/2, rejected −1/4, h̄ = 0.75; β = 0.5 → target 1/(2β) = 1; (0.75 − 1)² = 0.0625
            DpoLoss.PairOutcome o = DpoLoss.ipo(pair(m), 0.5);
            assertThat(value(o.losses())).isCloseTo(0.0625, within(1e-15));
            assertThat(value(o.chosenRewards())).isEqualTo(0.25);
            assertThat(value(o.rejectedRewards())).isEqualTo(-0.125);
        }
    }

    @Test
    void hingeIsZeroOnceBetaTimesTheMarginPassesOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(value(DpoLoss.hinge(pair(m), 0.25).losses())).isEqualTo(0.5);   // 1 − 0.25·2
            assertThat(value(DpoLoss.hinge(pair(m), 1.0).losses())).isEqualTo(0.0);    // max(0, 1 − 2)
        }
    }

    @Test
    void simpoIsReferenceFreeAndLengthNormalised() {
        try (NDManager m = NDManager.newBaseManager()) {
            // β = 2, γ = 0.5: β·π_c/n_c = 2·(−1.5) = −3, β·π_r/n_r = 2·(−1.25) = −2.5; x = −3 + 2.5 − 0.5 = −1
            DpoLoss.PairLogProbs noReference = new DpoLoss.PairLogProbs(m.create(new double[] {-3}),
                    m.create(new double[] {-5}), null, null, m.create(new double[] {2}), m.create(new double[] {4}));
            DpoLoss.PairOutcome o = DpoLoss.simpo(noReference, 2, 0.5, 0);
            assertThat(value(o.losses())).isCloseTo(SOFTPLUS_1, within(1e-15));
            assertThat(value(o.chosenRewards())).isEqualTo(-3.0);
            assertThat(value(o.rejectedRewards())).isEqualTo(-2.5);
        }
    }

    @Test
    void orpoIsChosenNllPlusLambdaTimesTheOddsRatioTerm() {
        try (NDManager m = NDManager.newBaseManager()) {
            // a_c = −1.5, a_r = −1.25; odds(a) = a − ln(1 − eᵃ): −1.247517541074546 and −0.9124204349125888;
            // ℓ = 1.5 + 0.1·ln(1 + e^0.3350971061619572) = 1.5874666807743931
            DpoLoss.PairOutcome o = DpoLoss.orpo(pair(m), 0.1);
            assertThat(value(DpoLoss.logOdds(m.create(new double[] {-1.5})))).isCloseTo(-1.247517541074546, within(1e-14));
            assertThat(value(o.losses())).isCloseTo(1.5874666807743931, within(1e-14));
            assertThat(value(o.chosenRewards())).isCloseTo(-0.15, within(1e-15));
        }
    }

    @Test
    void orpoStaysFiniteWhenACompletionIsCertain() {
        try (NDManager m = NDManager.newBaseManager()) {
            // a = 0 (p = 1) and a float32 just below 0 where eᵃ rounds to 1: both held at a = −1e−6,
            // odds = −1e−6 − ln(1 − e^(−1e−6)) ≈ −ln(1e−6) = 13.8155 (float32 resolves 1 − e^a to ~6%)
            float[] odds = DpoLoss.logOdds(m.create(new float[] {0f, -1e-9f})).toFloatArray();
            for (float x : odds) {
                assertThat((double) x).isCloseTo(13.8155, within(0.1));
            }
        }
    }

    @Test
    void ktoMeasuresEachExampleAgainstTheKlBaseline() {
        try (NDManager m = NDManager.newBaseManager()) {
            // r = (1, −1), z = 0.5, β = 1: desirable 1 − σ(0.5) = σ(−0.5); undesirable 1 − σ(0.5 + 1) = σ(−1.5)
            DpoLoss.KtoOutcome o = DpoLoss.kto(m.create(new double[] {-3, -5}), m.create(new double[] {-4, -4}),
                    m.create(new double[] {1, 0}), m.create(0.5), 1, 1, 1);
            assertThat(o.losses().toDoubleArray()[0]).isCloseTo(0.3775406687981454, within(1e-15));
            assertThat(o.losses().toDoubleArray()[1]).isCloseTo(0.18242552380635635, within(1e-15));
            assertThat(o.rewards().toDoubleArray()).containsExactly(1, -1);
            // weights w_D = 2, w_U = 0.5 scale each side
            DpoLoss.KtoOutcome weighted = DpoLoss.kto(m.create(new double[] {-3, -5}), m.create(new double[] {-4, -4}),
                    m.create(new double[] {1, 0}), m.create(0.5), 1, 2, 0.5);
            assertThat(weighted.losses().toDoubleArray()[0]).isCloseTo(2 * 0.3775406687981454, within(1e-15));
            assertThat(weighted.losses().toDoubleArray()[1]).isCloseTo(0.5 * 0.18242552380635635, within(1e-15));
            // z = max(0, mean(π − ρ)): mean(1, −2) = −0.5 → 0; mean(1, 1) = 1
            assertThat(DpoLoss.ktoKlBaseline(m.create(new double[] {-2, -6}), m.create(new double[] {-3, -4})).getDouble())
                    .isEqualTo(0.0);
            assertThat(DpoLoss.ktoKlBaseline(m.create(new double[] {-2, -3}), m.create(new double[] {-3, -4})).getDouble())
                    .isEqualTo(1.0);
        }
    }

    @Test
    void softplusIsExactAtBothExtremes() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] v = DpoLoss.softplus(m.create(new double[] {-1000, 0, 1000, 40})).toDoubleArray();
            assertThat(v[0]).isEqualTo(0.0);
            assertThat(v[1]).isCloseTo(Math.log(2), within(1e-16));
            assertThat(v[2]).isEqualTo(1000.0);
            assertThat(v[3]).isCloseTo(40, within(1e-15));
        }
    }

    /** Inputs: (π_c, π_r, ρ_c, ρ_r) for three pairs; n_c = (2, 5, 1), n_r = (3, 2, 4). */
    private static final double[][] INPUTS = {{-3.1, -6.4, -0.7}, {-4.2, -3.3, -2.9}, {-3.5, -6.0, -1.1}, {-3.9, -3.0, -2.2}};

    private static NDArray sumOfLosses(NDManager m, NDArray[] x, Function<DpoLoss.PairLogProbs, DpoLoss.PairOutcome> loss) {
        return loss.apply(new DpoLoss.PairLogProbs(x[0], x[1], x[2], x[3], m.create(new double[] {2, 5, 1}),
                m.create(new double[] {3, 2, 4}))).losses().sum();
    }

    private static void checkGradients(Function<DpoLoss.PairLogProbs, DpoLoss.PairOutcome> loss) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] x = new NDArray[4];
            for (int k = 0; k < 4; k++) {
                x[k] = m.create(INPUTS[k]);
                x[k].setRequiresGradient(true);
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(sumOfLosses(m, x, loss));
            }
            double h = 1e-6;
            for (int k = 0; k < 4; k++) {
                double[] gradient = x[k].getGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
                for (int i = 0; i < 3; i++) {
                    NDArray[] up = new NDArray[4];
                    NDArray[] down = new NDArray[4];
                    for (int j = 0; j < 4; j++) {
                        double[] u = INPUTS[j].clone();
                        double[] d = INPUTS[j].clone();
                        if (j == k) {
                            u[i] += h;
                            d[i] -= h;
                        }
                        up[j] = m.create(u);
                        down[j] = m.create(d);
                    }
                    double numeric = (sumOfLosses(m, up, loss).getDouble() - sumOfLosses(m, down, loss).getDouble()) / (2 * h);
                    assertThat(gradient[i]).as("d loss / d input %d[%d]", k, i).isCloseTo(numeric, within(1e-7));
                }
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        checkGradients(p -> DpoLoss.sigmoid(p, 0.7, 0.15));
        checkGradients(p -> DpoLoss.ipo(p, 0.3));
        checkGradients(p -> DpoLoss.hinge(p, 0.1));      // 1 − βh > 0 at every pair here: the smooth side
        checkGradients(p -> DpoLoss.simpo(p, 2.0, 0.5, 0.1));
        checkGradients(p -> DpoLoss.orpo(p, 0.2));
        // KTO; z is a constant of the step (its lack of gradient is ktoBaselineCarriesNoGradient)
        checkGradients(p -> {
            NDManager m = p.policyChosen().getManager();
            NDArray z = DpoLoss.ktoKlBaseline(m.create(new double[] {-1.0, -2.0}), m.create(new double[] {-1.7, -1.9}));
            DpoLoss.KtoOutcome o = DpoLoss.kto(p.policyChosen(), p.referenceChosen(), m.create(new double[] {1, 0, 1}),
                    z, 0.5, 1.0, 1.33);
            return new DpoLoss.PairOutcome(o.losses(), o.rewards(), o.rewards());
        });
    }

    @Test
    void ktoBaselineCarriesNoGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray policy = m.create(new double[] {-1, -2});
            policy.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray z = DpoLoss.ktoKlBaseline(policy, m.create(new double[] {-3, -3}));
                collector.backward(z.mul(policy.sum()));   // only the second factor carries a gradient
            }
            assertThat(policy.getGradient().toDoubleArray()).containsExactly(1.5, 1.5);
        }
    }

    @Test
    void lossNamesParseAndUnknownOnesAreListed() {
        assertThat(DpoLossType.parse("SimPO")).isEqualTo(DpoLossType.SIMPO);
        assertThatThrownBy(() -> DpoLossType.parse("cdpo"))
                .hasMessage("--loss must be one of sigmoid, ipo, hinge, simpo, orpo, kto; got \"cdpo\"");
    }
}
