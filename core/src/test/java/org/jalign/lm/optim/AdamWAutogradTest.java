package org.jalign.lm.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * The gradients AdamW consumes, from DJL autograd, against analytic and finite-difference
 * references; and AdamW driving real losses down.
 */
class AdamWAutogradTest {
    private static final float[] CURVATURE = {1, 2, 0.5f, 4};
    private static final float[] TARGET = {1, -2, 3, 0.5f};

    /** L = ½ Σ a_i (t_i − p_i)², built with the step's inputs first so every result lands on {@code scope}. */
    private static NDArray quadraticLoss(NDManager scope, NDArray weights) {
        NDArray curvature = scope.create(CURVATURE);
        NDArray target = scope.create(TARGET);
        return curvature.mul(target.sub(weights).square()).sum().mul(0.5f);
    }

    @Test
    void quadraticGradientIsAnalyticAndAdamWDrivesTheLossToZero() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray weights = OptimizerTesting.trainable(manager, 0, 0, 0, 0);
            try (AdamW adamW = new AdamW(List.of(TrainableParameter.of("w", weights)), AdamWConfig.rlhf(0.1))) {
                // ∂L/∂p = a·(p − t) = [1·(0 − 1), 2·(0 + 2), 0.5·(0 − 3), 4·(0 − 0.5)] = [−1, 4, −1.5, −2]
                try (NDManager step = manager.newSubManager();
                     GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = quadraticLoss(step, weights);
                    // ½(1·1 + 2·4 + 0.5·9 + 4·0.25) = ½·14.5 = 7.25
                    assertThat(loss.getFloat()).isEqualTo(7.25f);
                    collector.backward(loss);
                }
                try (NDArray gradient = weights.getGradient()) {
                    assertThat(gradient.toFloatArray()).containsExactly(-1, 4, -1.5f, -2);
                }

                LearningRateSchedule schedule = new LearningRateSchedule.WarmupCosine(10, 300, 0.0);
                float loss = Float.NaN;
                while (adamW.stepCount() < 300) {
                    adamW.zeroGradients();
                    try (NDManager step = manager.newSubManager()) {
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDArray lossArray = quadraticLoss(step, weights);
                            loss = lossArray.getFloat();
                            collector.backward(lossArray);
                        }
                    }
                    adamW.step(adamW.config().learningRate() * schedule.at(adamW.stepCount()));
                }
                try (NDManager step = manager.newSubManager()) {
                    loss = quadraticLoss(step, weights).getFloat();
                }
                assertThat(loss).isLessThan(1e-6f);
                assertThat(weights.toFloatArray()).containsExactly(TARGET, offset(1e-3f));
            }
        }
    }

    // A 2-layer MLP in float64: y = tanh(x·W1 + b1)·W2 + b2, loss = mean((y − target)²).
    private static final int BATCH = 4;
    private static final int INPUTS = 3;
    private static final int HIDDEN = 5;
    private static final int OUTPUTS = 2;
    private static final Shape[] SHAPES = {new Shape(INPUTS, HIDDEN), new Shape(HIDDEN), new Shape(HIDDEN, OUTPUTS),
            new Shape(OUTPUTS)};
    private static final String[] NAMES = {"mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias"};

    private static NDArray mlpLoss(NDArray inputs, NDArray targets, List<NDArray> p) {
        // (B, I)·(I, H) + (H) → (B, H); tanh; (B, H)·(H, O) + (O) → (B, O); inputs first: results on its manager
        NDArray outputs = inputs.matMul(p.get(0)).add(p.get(1)).tanh().matMul(p.get(2)).add(p.get(3));
        return outputs.sub(targets).square().mean();
    }

    @Test
    void mlpGradientsMatchCentralFiniteDifferencesInFloat64() {
        SplittableRandom random = new SplittableRandom(7);
        double[][] initial = new double[SHAPES.length][];
        for (int j = 0; j < SHAPES.length; j++) {
            initial[j] = uniform(random, (int) SHAPES[j].size(), 1.0);
        }
        double[] inputValues = uniform(random, BATCH * INPUTS, 2.0);
        double[] targetValues = uniform(random, BATCH * OUTPUTS, 1.0);
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> parameters = new ArrayList<>();
            for (int j = 0; j < SHAPES.length; j++) {
                NDArray p = manager.create(initial[j], SHAPES[j]);
                p.setRequiresGradient(true);
                parameters.add(p);
            }
            NDArray inputs = manager.create(inputValues, new Shape(BATCH, INPUTS));
            NDArray targets = manager.create(targetValues, new Shape(BATCH, OUTPUTS));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = mlpLoss(inputs, targets, parameters);
                assertThat(loss.getDataType()).isEqualTo(DataType.FLOAT64);
                collector.backward(loss);
            }

            // central differences (L(p + h) − L(p − h)) / 2h: error O(h²) ≈ 1e-12 plus rounding ε·L/h ≈ 1e-10
            double h = 1e-6;
            double worst = 0;
            for (int j = 0; j < SHAPES.length; j++) {
                double[] analytic = parameters.get(j).getGradient().toDoubleArray();
                for (int k = 0; k < analytic.length; k++) {
                    double plus = perturbedLoss(manager, inputs, targets, initial, j, k, +h);
                    double minus = perturbedLoss(manager, inputs, targets, initial, j, k, -h);
                    double numeric = (plus - minus) / (2 * h);
                    assertThat(analytic[k]).as("%s[%d]", NAMES[j], k).isCloseTo(numeric, offset(1e-8));
                    worst = Math.max(worst, Math.abs(analytic[k] - numeric));
                }
            }
            assertThat(worst).isLessThan(1e-8);
        }
    }

    private static double perturbedLoss(NDManager manager, NDArray inputs, NDArray targets, double[][] values,
                                        int parameter, int element, double delta) {
        try (NDManager scope = manager.newSubManager()) {
            List<NDArray> p = new ArrayList<>();
            for (int j = 0; j < values.length; j++) {
                double[] copy = values[j].clone();
                if (j == parameter) {
                    copy[element] += delta;
                }
                p.add(scope.create(copy, SHAPES[j]));
            }
            NDArray scopedInputs = inputs.duplicate();
            scopedInputs.attach(scope);
            return mlpLoss(scopedInputs, targets, p).getDouble();
        }
    }

    @Test
    void adamWTrainsTheMlpWithDecayOnMatricesOnly() {
        SplittableRandom random = new SplittableRandom(11);
        try (NDManager manager = NDManager.newBaseManager()) {
            List<TrainableParameter> parameters = new ArrayList<>();
            for (int j = 0; j < SHAPES.length; j++) {
                NDArray p = manager.create(uniform(random, (int) SHAPES[j].size(), 0.5), SHAPES[j])
                        .toType(DataType.FLOAT32, false);
                p.setRequiresGradient(true);
                parameters.add(TrainableParameter.of(NAMES[j], p));
            }
            assertThat(parameters).extracting(TrainableParameter::decay).containsExactly(true, false, true, false);
            float[] inputValues = toFloats(uniform(random, 16 * INPUTS, 2.0));
            float[] targetValues = new float[16 * OUTPUTS];
            for (int b = 0; b < 16; b++) {   // a smooth target the MLP can fit: (sin x0, x1·x2 / 4)
                targetValues[b * 2] = (float) Math.sin(inputValues[b * 3]);
                targetValues[b * 2 + 1] = inputValues[b * 3 + 1] * inputValues[b * 3 + 2] / 4;
            }
            List<NDArray> weights = parameters.stream().map(TrainableParameter::values).toList();
            AdamWConfig config = AdamWConfig.torchDefaults().withLearningRate(0.03);
            LearningRateSchedule schedule = new LearningRateSchedule.WarmupLinear(20, 400);
            float first = Float.NaN;
            float last = Float.NaN;
            try (AdamW adamW = new AdamW(parameters, config)) {
                while (adamW.stepCount() < 400) {
                    adamW.zeroGradients();
                    try (NDManager step = manager.newSubManager();
                         GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = mlpLoss(step.create(inputValues, new Shape(16, INPUTS)),
                                step.create(targetValues, new Shape(16, OUTPUTS)), weights);
                        last = loss.getFloat();
                        first = adamW.stepCount() == 0 ? last : first;
                        collector.backward(loss);
                    }
                    double norm = adamW.clipGradientNorm(1.0);
                    assertThat(norm).isFinite();
                    adamW.step(config.learningRate() * schedule.at(adamW.stepCount()));
                }
            }
            assertThat(last).isLessThan(first / 20);
        }
    }

    private static double[] uniform(SplittableRandom random, int n, double range) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextDouble(-range, range);
        }
        return values;
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
