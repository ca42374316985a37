package org.jalign.lm.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checkpoint state: a resumed run continues bit-exactly; mismatched state fails loudly. */
class AdamWStateTest {
    private static final AdamWConfig CONFIG = AdamWConfig.torchDefaults().withLearningRate(0.05);
    private static final LearningRateSchedule SCHEDULE = new LearningRateSchedule.WarmupCosine(3, 10, 0.1);
    private static final float[] MATRIX_START = {0.3f, -0.7f, 1.1f, 0.2f, -0.4f, 0.9f};
    private static final float[] BIAS_START = {0.05f, -0.15f};

    /** A model's weights: a (3, 2) matrix that decays and a bias that does not. */
    private static List<TrainableParameter> weights(NDManager manager, float[] matrix, float[] bias) {
        NDArray w = manager.create(matrix, new Shape(3, 2));
        NDArray b = manager.create(bias);
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        return List.of(TrainableParameter.of("proj.weight", w), TrainableParameter.of("proj.bias", b));
    }

    /** One training step on a fixed least-squares problem: gradients depend on the weights, as in real training. */
    private static void trainStep(AdamW adamW, NDManager manager) {
        adamW.zeroGradients();
        NDArray w = adamW.parameters().get(0).values();
        NDArray b = adamW.parameters().get(1).values();
        try (NDManager step = manager.newSubManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray inputs = step.create(new float[]{1, 2, -1, 0.5f, 0, 1, -2, 1, 1, 1, 1, 1}, new Shape(4, 3));
            NDArray targets = step.create(new float[]{1, 0, 0, 1, 1, 1, -1, 2}, new Shape(4, 2));
            collector.backward(inputs.matMul(w).add(b).sub(targets).square().mean());
        }
        adamW.clipGradientNorm(1.0);
        adamW.step(CONFIG.learningRate() * SCHEDULE.at(adamW.stepCount()));
    }

    @Test
    void fivePlusFiveStepsThroughExportAndImportEqualTenStraightBitForBit() {
        float[] straightMatrix;
        float[] straightBias;
        AdamWState straightState;
        try (NDManager manager = NDManager.newBaseManager()) {
            try (AdamW adamW = new AdamW(weights(manager, MATRIX_START, BIAS_START), CONFIG)) {
                for (int i = 0; i < 10; i++) {
                    trainStep(adamW, manager);
                }
                straightMatrix = adamW.parameters().get(0).values().toFloatArray();
                straightBias = adamW.parameters().get(1).values().toFloatArray();
                straightState = adamW.exportState();
            }
        }

        // first run: 5 steps, then "checkpoint" weights and optimizer state as plain arrays, and exit
        float[] savedMatrix;
        float[] savedBias;
        AdamWState saved;
        try (NDManager manager = NDManager.newBaseManager()) {
            try (AdamW adamW = new AdamW(weights(manager, MATRIX_START, BIAS_START), CONFIG)) {
                for (int i = 0; i < 5; i++) {
                    trainStep(adamW, manager);
                }
                savedMatrix = adamW.parameters().get(0).values().toFloatArray();
                savedBias = adamW.parameters().get(1).values().toFloatArray();
                saved = adamW.exportState();
            }
        }
        assertThat(saved.step()).isEqualTo(5);

        // second run: fresh manager and optimizer, restored from the arrays, 5 more steps
        try (NDManager manager = NDManager.newBaseManager()) {
            try (AdamW adamW = new AdamW(weights(manager, savedMatrix, savedBias), CONFIG)) {
                adamW.importState(saved);
                assertThat(adamW.stepCount()).isEqualTo(5);   // the schedule resumes at step 5 too
                for (int i = 0; i < 5; i++) {
                    trainStep(adamW, manager);
                }
                assertThat(adamW.parameters().get(0).values().toFloatArray()).containsExactly(straightMatrix);
                assertThat(adamW.parameters().get(1).values().toFloatArray()).containsExactly(straightBias);
                AdamWState resumed = adamW.exportState();
                assertThat(resumed.step()).isEqualTo(10);
                for (String name : List.of("proj.weight", "proj.bias")) {
                    assertThat(resumed.firstMoments().get(name)).containsExactly(straightState.firstMoments().get(name));
                    assertThat(resumed.secondMoments().get(name)).containsExactly(straightState.secondMoments().get(name));
                }
            }
        }
    }

    @Test
    void resumingWithoutTheStateWouldHaveDiverged() {
        // the control for the test above: fresh moments at step 5 give different weights, so
        // bit-equality there is evidence the state carried over
        float[] straightMatrix;
        try (NDManager manager = NDManager.newBaseManager();
             AdamW adamW = new AdamW(weights(manager, MATRIX_START, BIAS_START), CONFIG)) {
            for (int i = 0; i < 10; i++) {
                trainStep(adamW, manager);
            }
            straightMatrix = adamW.parameters().get(0).values().toFloatArray();
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            List<float[]> halfway = new ArrayList<>();
            try (AdamW adamW = new AdamW(weights(manager, MATRIX_START, BIAS_START), CONFIG)) {
                for (int i = 0; i < 5; i++) {
                    trainStep(adamW, manager);
                }
                halfway.add(adamW.parameters().get(0).values().toFloatArray());
                halfway.add(adamW.parameters().get(1).values().toFloatArray());
            }
            try (AdamW fresh = new AdamW(weights(manager, halfway.get(0), halfway.get(1)), CONFIG)) {
                for (int i = 0; i < 5; i++) {
                    trainStep(fresh, manager);
                }
                assertThat(fresh.parameters().get(0).values().toFloatArray()).isNotEqualTo(straightMatrix);
            }
        }
    }

    @Test
    void stateForOtherParametersIsRejectedWithNames() {
        try (NDManager manager = NDManager.newBaseManager();
             AdamW adamW = new AdamW(weights(manager, MATRIX_START, BIAS_START), CONFIG)) {
            AdamWState renamed = new AdamWState(3, Map.of("proj.weight", new float[6], "head.bias", new float[2]),
                    Map.of("proj.weight", new float[6], "head.bias", new float[2]));
            assertThatThrownBy(() -> adamW.importState(renamed))
                    .hasMessage("adamw state does not match the trainable parameters: missing [proj.bias], unexpected [head.bias]");
            AdamWState wrongSize = new AdamWState(3, Map.of("proj.weight", new float[4], "proj.bias", new float[2]),
                    Map.of("proj.weight", new float[4], "proj.bias", new float[2]));
            assertThatThrownBy(() -> adamW.importState(wrongSize))
                    .hasMessage("adamw state for 'proj.weight' holds 4 values but the parameter has 6 (shape (3, 2))");
            assertThat(adamW.stepCount()).isZero();   // a rejected import changes nothing
        }
    }

    @Test
    void inconsistentStateIsRejectedOnConstruction() {
        assertThatThrownBy(() -> new AdamWState(-1, Map.of(), Map.of()))
                .hasMessage("adamw state step must be >= 0, got -1");
        assertThatThrownBy(() -> new AdamWState(1, Map.of("a", new float[1]), Map.of("b", new float[1])))
                .hasMessage("adamw state must hold both moments for the same parameters; exp_avg has [a], exp_avg_sq has [b]");
        assertThatThrownBy(() -> new AdamWState(1, Map.of("a", new float[1]), Map.of("a", new float[2])))
                .hasMessage("adamw state for 'a' has exp_avg of 1 values but exp_avg_sq of 2");
    }
}
