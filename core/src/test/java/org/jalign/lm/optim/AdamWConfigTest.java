package org.jalign.lm.optim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdamWConfigTest {

    @Test
    void defaultsAreTorchsAndTheRlhfPapers() {
        assertThat(AdamWConfig.torchDefaults()).isEqualTo(new AdamWConfig(1e-3, 0.9, 0.999, 1e-8, 0.01));
        assertThat(AdamWConfig.rlhf(1.41e-5)).isEqualTo(new AdamWConfig(1.41e-5, 0.9, 0.999, 1e-5, 0.0));
        assertThat(AdamWConfig.torchDefaults().withLearningRate(3e-4).withBetas(0.9, 0.95).withEpsilon(1e-6)
                .withWeightDecay(0.1)).isEqualTo(new AdamWConfig(3e-4, 0.9, 0.95, 1e-6, 0.1));
    }

    @Test
    void rangesAreCheckedWithActionableMessages() {
        AdamWConfig base = AdamWConfig.torchDefaults();
        assertThatThrownBy(() -> base.withBetas(1.5, 0.999)).hasMessage("adamw.beta1 must be in [0, 1), got 1.5");
        assertThatThrownBy(() -> base.withBetas(0.9, 1.0)).hasMessage("adamw.beta2 must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> base.withBetas(Double.NaN, 0.999)).hasMessage("adamw.beta1 must be in [0, 1), got NaN");
        assertThatThrownBy(() -> base.withLearningRate(0))
                .hasMessage("adamw.learningRate must be a finite number > 0, got 0.0");
        assertThatThrownBy(() -> base.withLearningRate(Double.POSITIVE_INFINITY))
                .hasMessage("adamw.learningRate must be a finite number > 0, got Infinity");
        assertThatThrownBy(() -> base.withEpsilon(0)).hasMessageStartingWith("adamw.epsilon must be a finite number > 0")
                .hasMessageEndingWith("got 0.0");
        assertThatThrownBy(() -> base.withWeightDecay(-0.1))
                .hasMessage("adamw.weightDecay must be a finite number >= 0 (0 = off), got -0.1");
        assertThat(base.withBetas(0, 0).beta1()).isZero();   // β = 0 is allowed (no momentum / RMS)
    }
}
