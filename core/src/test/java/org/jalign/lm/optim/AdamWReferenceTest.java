package org.jalign.lm.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jalign.lm.optim.OptimizerTesting.setGradients;

/**
 * AdamW against an independent plain-Java double implementation of the algorithm as the
 * {@code torch.optim.AdamW} documentation writes it, over many random steps with varying
 * learning rates and gradient scales.
 */
class AdamWReferenceTest {
    private static final int STEPS = 50;
    private static final AdamWConfig CONFIG = new AdamWConfig(1e-2, 0.9, 0.95, 1e-8, 0.1);

    /** The torch.optim.AdamW pseudo-code for one tensor, in doubles, written independently of AdamW. */
    private static final class ReferenceAdamW {
        final double[] theta;
        final double[] m;
        final double[] v;
        final boolean decay;
        int t;

        ReferenceAdamW(double[] initial, boolean decay) {
            this.theta = initial.clone();
            this.m = new double[initial.length];
            this.v = new double[initial.length];
            this.decay = decay;
        }

        void step(double[] g, double gamma, AdamWConfig c) {
            t++;
            for (int i = 0; i < theta.length; i++) {
                if (decay) {
                    theta[i] = theta[i] - gamma * c.weightDecay() * theta[i];      // θ ← θ − γλθ
                }
                m[i] = c.beta1() * m[i] + (1 - c.beta1()) * g[i];                   // m ← β1 m + (1 − β1) g
                v[i] = c.beta2() * v[i] + (1 - c.beta2()) * g[i] * g[i];            // v ← β2 v + (1 − β2) g²
                double mHat = m[i] / (1 - Math.pow(c.beta1(), t));                  // m̂ = m / (1 − β1^t)
                double vHat = v[i] / (1 - Math.pow(c.beta2(), t));                  // v̂ = v / (1 − β2^t)
                theta[i] = theta[i] - gamma * mHat / (Math.sqrt(vHat) + c.epsilon()); // θ ← θ − γ m̂/(√v̂ + ε)
            }
        }
    }

    @Test
    void float64MatchesTheReferenceOverFiftyRandomSteps() {
        // measured agreement is ~1e-16 relative (the same ops in the same order); 1e-12 leaves room
        // for a BLAS or platform that rounds differently, and is far inside the 1e-6 we require
        runAgainstReference(DataType.FLOAT64, 1e-12, 0);
    }

    @Test
    void float32MatchesTheReferenceUpToFloat32Rounding() {
        // float32 rounds every op (~6e-8 relative); measured worst case after 50 steps ~1.2e-7
        // relative, so 2e-6 (with a 1e-7 absolute floor for weights that pass near 0)
        runAgainstReference(DataType.FLOAT32, 2e-6, 1e-7);
    }

    private static void runAgainstReference(DataType dataType, double relativeTolerance, double absoluteFloor) {
        SplittableRandom random = new SplittableRandom(20240501);
        double[] matrixStart = gaussian(random, 12);
        double[] vectorStart = gaussian(random, 4);
        if (dataType == DataType.FLOAT32) {   // start both from the same float32-representable values
            roundToFloat(matrixStart);
            roundToFloat(vectorStart);
        }
        ReferenceAdamW referenceMatrix = new ReferenceAdamW(matrixStart, true);
        ReferenceAdamW referenceVector = new ReferenceAdamW(vectorStart, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray matrix = manager.create(matrixStart, new Shape(3, 4)).toType(dataType, false);
            NDArray vector = manager.create(vectorStart).toType(dataType, false);
            matrix.setRequiresGradient(true);
            vector.setRequiresGradient(true);
            try (AdamW adamW = new AdamW(List.of(TrainableParameter.of("layer.weight", matrix),
                    TrainableParameter.of("layer.bias", vector)), CONFIG)) {
                assertThat(adamW.parameters()).extracting(TrainableParameter::decay).containsExactly(true, false);
                for (int step = 0; step < STEPS; step++) {
                    // gradient scale varies over 4 orders of magnitude; learning rate follows a random walk
                    double scale = Math.pow(10, random.nextDouble(-2, 2));
                    double[] matrixGradient = scaled(gaussian(random, 12), scale);
                    double[] vectorGradient = scaled(gaussian(random, 4), scale);
                    if (dataType == DataType.FLOAT32) {
                        roundToFloat(matrixGradient);
                        roundToFloat(vectorGradient);
                    }
                    double learningRate = CONFIG.learningRate() * random.nextDouble(0.1, 1.0);
                    setGradients(adamW, matrixGradient, vectorGradient);
                    adamW.step(learningRate);
                    referenceMatrix.step(matrixGradient, learningRate, CONFIG);
                    referenceVector.step(vectorGradient, learningRate, CONFIG);
                }
                assertClose(matrix.toType(DataType.FLOAT64, false).toDoubleArray(), referenceMatrix.theta,
                        relativeTolerance, absoluteFloor);
                assertClose(vector.toType(DataType.FLOAT64, false).toDoubleArray(), referenceVector.theta,
                        relativeTolerance, absoluteFloor);
                if (dataType == DataType.FLOAT32) {
                    AdamWState state = adamW.exportState();
                    assertThat(state.step()).isEqualTo(STEPS);
                    assertClose(toDoubles(state.firstMoments().get("layer.weight")), referenceMatrix.m, relativeTolerance, 1e-7);
                    assertClose(toDoubles(state.secondMoments().get("layer.bias")), referenceVector.v, relativeTolerance, 1e-9);
                }
            }
        }
        // the run moved the weights well away from the start, so agreement is not trivial
        assertThat(Math.abs(referenceVector.theta[0] - vectorStart[0])).isGreaterThan(0.01);
    }

    private static void assertClose(double[] actual, double[] expected, double relative, double absoluteFloor) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            double tolerance = Math.max(relative * Math.abs(expected[i]), absoluteFloor);
            assertThat(Math.abs(actual[i] - expected[i]))
                    .as("element %d: actual %s, reference %s", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(tolerance);
        }
    }

    private static double[] gaussian(SplittableRandom random, int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i += 2) {   // Box–Muller
            double radius = Math.sqrt(-2 * Math.log(1 - random.nextDouble()));
            double angle = 2 * Math.PI * random.nextDouble();
            values[i] = radius * Math.cos(angle);
            if (i + 1 < n) {
                values[i + 1] = radius * Math.sin(angle);
            }
        }
        return values;
    }

    private static double[] scaled(double[] values, double scale) {
        for (int i = 0; i < values.length; i++) {
            values[i] *= scale;
        }
        return values;
    }

    private static void roundToFloat(double[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) values[i];
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
