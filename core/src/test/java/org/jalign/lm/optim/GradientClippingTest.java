package org.jalign.lm.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Clipping against norms worked out by hand (torch.nn.utils.clip_grad_norm_ semantics). */
class GradientClippingTest {

    @Test
    void globalNormSpansAllGradientsAndScalesThemTogether() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[]{3, 4});
            NDArray b = manager.create(new float[]{12});
            // ‖a‖ = 5, ‖b‖ = 12, global = √(25 + 144) = 13
            double norm = GradientClipping.clipByGlobalNorm(List.of(a, b), 6.5);
            assertThat(norm).isCloseTo(13.0, within(1e-6));
            // coefficient = 6.5 / (13 + 1e-6) = 0.49999996 ≈ 0.5
            double coefficient = 6.5 / (13 + 1e-6);
            assertThat(a.toFloatArray()).containsExactly(new float[]{(float) (3 * coefficient), (float) (4 * coefficient)},
                    org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(b.toFloatArray()[0]).isCloseTo(6.0f, within(1e-5f));
            // after clipping the global norm is maxNorm (up to the 1e-6 guard)
            assertThat(GradientClipping.clipByGlobalNorm(List.of(a, b), 100)).isCloseTo(6.5, within(1e-5));
        }
    }

    @Test
    void belowTheLimitNothingChanges() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[]{3, 4});
            NDArray b = manager.create(new float[][]{{12, 0}, {0, 0}});   // rank does not matter
            assertThat(GradientClipping.clipByGlobalNorm(List.of(a, b), 20)).isCloseTo(13.0, within(1e-6));
            assertThat(a.toFloatArray()).containsExactly(3, 4);
            assertThat(b.toFloatArray()).containsExactly(12, 0, 0, 0);
        }
    }

    @Test
    void atExactlyMaxNormTheEpsilonGuardStillScalesSlightlyLikeTorch() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new double[]{3, 4});
            // coefficient = 5 / (5 + 1e-6) = 0.9999998 < 1: PyTorch multiplies, so do we
            assertThat(GradientClipping.clipByGlobalNorm(List.of(a), 5)).isCloseTo(5.0, within(1e-12));
            assertThat(a.toDoubleArray()).containsExactly(new double[]{3 * 5 / (5 + 1e-6), 4 * 5 / (5 + 1e-6)},
                    org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void zeroAndNonFiniteGradientsAreReturnedUntouched() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray zero = manager.create(new float[]{0, 0});
            assertThat(GradientClipping.clipByGlobalNorm(List.of(zero), 1)).isZero();
            assertThat(zero.toFloatArray()).containsExactly(0, 0);

            NDArray overflowed = manager.create(new float[]{Float.POSITIVE_INFINITY, 1});
            NDArray finite = manager.create(new float[]{2});
            assertThat(GradientClipping.clipByGlobalNorm(List.of(overflowed, finite), 1)).isInfinite();
            assertThat(finite.toFloatArray()).containsExactly(2);    // left for the caller to skip the step

            NDArray nan = manager.create(new float[]{Float.NaN});
            assertThat(GradientClipping.clipByGlobalNorm(List.of(nan), 1)).isNaN();
            assertThat(GradientClipping.clipByGlobalNorm(List.of(), 1)).isZero();
        }
    }

    @Test
    void temporariesAreFreedAndGradientsStayWithTheirManager() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[]{30, 40});
            int before = manager.getManagedArrays().size();
            for (int i = 0; i < 100; i++) {
                GradientClipping.clipByGlobalNorm(List.of(a), 1);
            }
            assertThat(manager.getManagedArrays()).hasSize(before);
            assertThat(a.getManager()).isSameAs(manager);
        }
    }

    @Test
    void maxNormMustBePositive() {
        assertThatThrownBy(() -> GradientClipping.clipByGlobalNorm(List.of(), 0))
                .hasMessage("maxNorm must be a finite number > 0, got 0.0");
    }
}
