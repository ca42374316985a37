package org.jalign.lm.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.jalign.lm.optim.OptimizerTesting.setGradients;
import static org.jalign.lm.optim.OptimizerTesting.trainable;

/** AdamW steps worked out by hand, gradient zeroing and clipping, and the decay rule. */
class AdamWTest {
    // lr 0.1, β1 0.9, β2 0.999, ε 1e-8, weight decay 0.1 → decay factor 1 − lr·wd = 0.99
    private static final AdamWConfig CONFIG = new AdamWConfig(0.1, 0.9, 0.999, 1e-8, 0.1);
    private static final double[] G1 = {0.5, -1, 2};
    private static final double[] G2 = {0.5, 1, -1};
    private static final double[] G3 = {-0.25, 0.5, 4};

    @Test
    void threeStepsMatchTheArithmeticByHand() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // the same start and gradients for both; only "decayed" is marked for weight decay
            NDArray decayed = trainable(manager, 1, -2, 0.5f);
            NDArray excluded = trainable(manager, 1, -2, 0.5f);
            try (AdamW adamW = new AdamW(List.of(new TrainableParameter("decayed", decayed, true),
                    new TrainableParameter("excluded", excluded, false)), CONFIG)) {

                // step 1, g = [0.5, −1, 2]: m = 0.1·g = [0.05, −0.1, 0.2]; v = 0.001·g² = [0.00025, 0.001, 0.004]
                // b1 = 1 − 0.9 = 0.1, b2 = 1 − 0.999 = 0.001 → m̂ = g, v̂ = g², √v̂ = |g|
                // update = lr·m̂/(√v̂ + ε) = 0.1·sign(g) (ε shifts it by ~2e-9, below float32 resolution here)
                // decayed:  0.99·[1, −2, 0.5] = [0.99, −1.98, 0.495], minus [0.1, −0.1, 0.1] = [0.89, −1.88, 0.395]
                // excluded: [1, −2, 0.5] − [0.1, −0.1, 0.1] = [0.9, −1.9, 0.4]
                setGradients(adamW, G1, G1);
                adamW.step(0.1);
                assertThat(decayed.toFloatArray()).containsExactly(new float[]{0.89f, -1.88f, 0.395f}, offset(1e-6f));
                assertThat(excluded.toFloatArray()).containsExactly(new float[]{0.9f, -1.9f, 0.4f}, offset(1e-6f));

                // step 2, g = [0.5, 1, −1]:
                // m = 0.9·[0.05, −0.1, 0.2] + 0.1·g = [0.095, 0.01, 0.08]
                // v = 0.999·[0.00025, 0.001, 0.004] + 0.001·g² = [0.00049975, 0.001999, 0.004996]
                // b1 = 1 − 0.81 = 0.19, b2 = 1 − 0.998001 = 0.001999
                // m̂ = [0.5, 0.0526316, 0.4210526]; v̂ = [0.25, 1, 2.4992496]; √v̂ = [0.5, 1, 1.5809015]
                // update = 0.1·m̂/√v̂ = [0.1, 0.00526316, 0.02663370]
                // decayed:  0.99·[0.89, −1.88, 0.395] = [0.8811, −1.8612, 0.39105] − update
                //         = [0.7811, −1.86646316, 0.36441630]
                // excluded: [0.9, −1.9, 0.4] − update = [0.8, −1.90526316, 0.37336630]
                setGradients(adamW, G2, G2);
                adamW.step(0.1);
                assertThat(decayed.toFloatArray()).containsExactly(new float[]{0.7811f, -1.86646316f, 0.36441630f},
                        offset(1e-6f));
                assertThat(excluded.toFloatArray()).containsExactly(new float[]{0.8f, -1.90526316f, 0.37336630f},
                        offset(1e-6f));
                AdamWState afterTwo = adamW.exportState();
                assertThat(afterTwo.step()).isEqualTo(2);
                assertThat(afterTwo.firstMoments().get("decayed")).containsExactly(new float[]{0.095f, 0.01f, 0.08f},
                        offset(1e-8f));
                assertThat(afterTwo.secondMoments().get("excluded"))
                        .containsExactly(new float[]{0.00049975f, 0.001999f, 0.004996f}, offset(1e-9f));

                // step 3 at a lower learning rate 0.05 (a schedule's job), g = [−0.25, 0.5, 4]:
                // m = 0.9·[0.095, 0.01, 0.08] + 0.1·g = [0.0605, 0.059, 0.472]
                // v = 0.999·[0.00049975, 0.001999, 0.004996] + 0.001·g² = [0.00056175025, 0.002247001, 0.020991004]
                // b1 = 1 − 0.729 = 0.271, b2 = 1 − 0.997002999 = 0.002997001
                // m̂ = [0.2232472, 0.2177122, 1.7416974]; √v̂ = [0.4329405, 0.8658810, 2.6465077]
                // update = 0.05·m̂/√v̂ = [0.02578267, 0.01257172, 0.03290558]
                // decay factor 1 − 0.05·0.1 = 0.995
                // decayed:  0.995·[0.7811, −1.86646316, 0.36441630] = [0.7771945, −1.8571308, 0.3625942] − update
                //         = [0.7514118, −1.8697025, 0.3296886]
                // excluded: [0.8, −1.90526316, 0.37336630] − update = [0.7742173, −1.9178349, 0.3404607]
                setGradients(adamW, G3, G3);
                adamW.step(0.05);
                assertThat(decayed.toFloatArray()).containsExactly(new float[]{0.7514118f, -1.8697025f, 0.3296886f},
                        offset(1e-6f));
                assertThat(excluded.toFloatArray()).containsExactly(new float[]{0.7742173f, -1.9178349f, 0.3404607f},
                        offset(1e-6f));
                assertThat(adamW.stepCount()).isEqualTo(3);
            }
        }
    }

    @Test
    void gradientsAccumulateAcrossCollectorsUntilZeroed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray weights = trainable(manager, 1, 2);
            try (AdamW adamW = new AdamW(List.of(TrainableParameter.of("w", weights)), CONFIG)) {
                for (int pass = 0; pass < 2; pass++) {   // two micro-batches, no zeroing in between
                    try (NDManager scratch = manager.newSubManager();
                         GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        collector.backward(scratch.create(new float[]{3, 5}).mul(weights).sum());
                    }
                }
                assertThat(gradientOf(weights)).containsExactly(6, 10);   // DJL summed both passes
                adamW.zeroGradients();
                assertThat(gradientOf(weights)).containsExactly(0, 0);

                setGradients(adamW, new double[]{Double.NaN, Double.POSITIVE_INFINITY});
                adamW.zeroGradients();
                assertThat(gradientOf(weights)).containsExactly(0, 0);     // g − g would have kept NaN
            }
        }
    }

    @Test
    void clipGradientNormScalesTheParametersGradients() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = trainable(manager, 0, 0);
            NDArray b = trainable(manager, 0);
            try (AdamW adamW = new AdamW(List.of(TrainableParameter.of("a", a), TrainableParameter.of("b", b)), CONFIG)) {
                setGradients(adamW, new double[]{3, 4}, new double[]{12});
                // global norm √(9 + 16 + 144) = 13; coefficient 6.5/(13 + 1e-6) ≈ 0.5
                assertThat(adamW.clipGradientNorm(6.5)).isCloseTo(13.0, offset(1e-6));
                assertThat(gradientOf(a)).containsExactly(new float[]{1.5f, 2f}, offset(1e-6f));
                assertThat(gradientOf(b)).containsExactly(new float[]{6f}, offset(1e-6f));
            }
        }
    }

    @Test
    void decayRuleExcludesBiasesAndNorms() {
        assertThat(TrainableParameter.decaysByDefault("model.layers.0.self_attn.q_proj.weight", 2)).isTrue();
        assertThat(TrainableParameter.decaysByDefault("model.embed_tokens.weight", 2)).isTrue();
        assertThat(TrainableParameter.decaysByDefault("lm_head.weight", 2)).isTrue();
        assertThat(TrainableParameter.decaysByDefault("transformer.h.0.attn.c_attn.weight", 2)).isTrue();
        assertThat(TrainableParameter.decaysByDefault(
                "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", 2)).isTrue();
        assertThat(TrainableParameter.decaysByDefault("model.layers.0.self_attn.q_proj.bias", 1)).isFalse();
        assertThat(TrainableParameter.decaysByDefault("transformer.h.0.attn.c_attn.bias", 1)).isFalse();
        assertThat(TrainableParameter.decaysByDefault("model.layers.0.input_layernorm.weight", 1)).isFalse();
        assertThat(TrainableParameter.decaysByDefault("model.norm.weight", 1)).isFalse();
        assertThat(TrainableParameter.decaysByDefault("transformer.ln_f.weight", 1)).isFalse();
        assertThat(TrainableParameter.decaysByDefault("v_head.summary.weight", 1)).isFalse();   // a vector: rank < 2
        // the name rule still applies to matrices (e.g. a norm stored as (1, C), a 2-D bias table)
        assertThat(TrainableParameter.decaysByDefault("transformer.h.3.ln_2.weight", 2)).isFalse();
        assertThat(TrainableParameter.decaysByDefault("relative_attention_bias.weight", 2)).isFalse();
        assertThat(TrainableParameter.decaysByDefault("model.layers.0.post_attention_layernorm.weight", 2)).isFalse();
    }

    @Test
    void badParametersAndLearningRatesAreRejected() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = trainable(manager, 1, 2);
            assertThatThrownBy(() -> new AdamW(List.of(), CONFIG))
                    .hasMessage("adamw needs at least one trainable parameter");
            assertThatThrownBy(() -> new AdamW(List.of(TrainableParameter.of("w", w), TrainableParameter.of("w", w)), CONFIG))
                    .hasMessage("trainable parameter 'w' is listed twice; names key the optimizer state and must be unique");
            NDArray frozen = manager.create(new float[]{1});
            assertThatThrownBy(() -> new AdamW(List.of(TrainableParameter.of("frozen", frozen)), CONFIG))
                    .hasMessageStartingWith("trainable parameter 'frozen' does not require a gradient");
            NDArray integers = manager.create(new int[]{1});
            assertThatThrownBy(() -> new AdamW(List.of(TrainableParameter.of("ids", integers)), CONFIG))
                    .hasMessage("trainable parameter 'ids' is int32; adamw updates float32 or float64 weights");
            try (AdamW adamW = new AdamW(List.of(TrainableParameter.of("w", w)), CONFIG)) {
                assertThatThrownBy(() -> adamW.step(Double.NaN))
                        .hasMessage("learning rate must be a finite number >= 0, got NaN");
                assertThat(adamW.stepCount()).isZero();
            }
        }
    }

    @Test
    void float64ParametersKeepFloat64Moments() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(new double[]{1, 2});
            w.setRequiresGradient(true);
            try (AdamW adamW = new AdamW(List.of(TrainableParameter.of("w", w)), CONFIG)) {
                setGradients(adamW, new double[]{0.5, -0.5});
                adamW.step(0.1);
                assertThat(w.getDataType()).isEqualTo(DataType.FLOAT64);
                // rank 1 → no decay; first step moves each weight by lr·sign(g)·|g|/(|g| + ε)
                assertThat(w.toDoubleArray()).containsExactly(new double[]{1 - 0.1 * 0.5 / (0.5 + 1e-8),
                        2 + 0.1 * 0.5 / (0.5 + 1e-8)}, offset(1e-15));
                assertThatThrownBy(adamW::exportState).isInstanceOf(IllegalStateException.class)
                        .hasMessage("cannot export adamw state of 'w': it is float64 and the state holds float32 exactly only");
            }
        }
    }

    private static float[] gradientOf(NDArray weights) {
        try (NDArray gradient = weights.getGradient()) {
            return gradient.toFloatArray();
        }
    }
}
