package org.jalign.lm.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DJL gives every new array to the manager of its first operand and frees it only when that
 * manager closes, so an optimizer that allocates on the state or weights manager leaks a few
 * arrays per step (djl.md). Over a full training loop the counts must stay flat.
 */
class AdamWMemoryTest {

    @Test
    void arrayCountsStayFlatOverTwoHundredSteps() {
        try (NDManager weightsManager = NDManager.newBaseManager()) {
            NDArray w = weightsManager.randomNormal(0, 0.1f, new Shape(8, 4), ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray b = weightsManager.zeros(new Shape(4));
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (AdamW adamW = new AdamW(List.of(TrainableParameter.of("w", w), TrainableParameter.of("b", b)),
                    AdamWConfig.torchDefaults())) {
                LearningRateSchedule schedule = new LearningRateSchedule.WarmupCosine(10, 200, 0.1);
                int[] weightCounts = new int[2];
                int[] stateCounts = new int[2];
                for (int step = 0; step < 200; step++) {
                    if (step == 1) {   // after the first step: anything created lazily exists by now
                        weightCounts[0] = weightsManager.getManagedArrays().size();
                        stateCounts[0] = adamW.stateManager().getManagedArrays().size();
                    }
                    adamW.zeroGradients();
                    try (NDManager scope = weightsManager.newSubManager();
                         GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray inputs = scope.randomNormal(new Shape(16, 8));
                        collector.backward(inputs.matMul(w).add(b).tanh().square().mean());
                    }
                    adamW.clipGradientNorm(1.0);
                    adamW.step(1e-3 * schedule.at(adamW.stepCount()));
                    if (step == 100) {   // a checkpoint mid-run must not leave arrays behind either
                        adamW.importState(adamW.exportState());
                    }
                }
                weightCounts[1] = weightsManager.getManagedArrays().size();
                stateCounts[1] = adamW.stateManager().getManagedArrays().size();

                assertThat(stateCounts[0]).isEqualTo(4);   // m and v of two parameters, nothing else
                assertThat(stateCounts[1]).isEqualTo(stateCounts[0]);
                assertThat(weightCounts[1]).isEqualTo(weightCounts[0]);
                assertThat(w.getManager()).isSameAs(weightsManager);   // tempAttach handed everything back
            }
        }
    }
}
