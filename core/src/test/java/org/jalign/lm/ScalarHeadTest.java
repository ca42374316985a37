package org.jalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ScalarHeadTest {

    @Test
    void readsTheLastRealTokenOfLeftAndRightPaddedRows() {
        try (NDManager m = NDManager.newBaseManager();
             ScalarHead head = ScalarHead.reward(2, 1, m)) {
            // hidden (B=2, T=3, C=2); the weight is known after a set: w = (1, 10), b = 0.5
            head.parameters("score").get(0).array().set(new float[] {1f, 10f});
            head.parameters("score").get(1).array().set(new float[] {0.5f});
            NDArray hidden = m.create(new float[] {
                1, 0, 2, 0, 3, 1,     // row 0: values 1.5, 2.5, 13.5
                0, 1, 5, 5, 7, 7},    // row 1: values 10.5, 55.5, 77.5
                new Shape(2, 3, 2));
            assertThat(head.perToken(hidden).toFloatArray()).containsExactly(1.5f, 2.5f, 13.5f, 10.5f, 55.5f, 77.5f);
            // row 0 left-padded (last real = 2), row 1 right-padded (last real = 1)
            NDArray mask = m.create(new float[] {0, 1, 1, 1, 1, 0}, new Shape(2, 3));
            assertThat(head.atLastToken(hidden, mask).toFloatArray()).containsExactly(13.5f, 55.5f);
        }
    }

    @Test
    void initialisationFollowsTheRlhfRecipe() {
        try (NDManager m = NDManager.newBaseManager();
             ScalarHead value = ScalarHead.value(64, m);
             ScalarHead reward = ScalarHead.reward(4095, 7, m)) {
            assertThat(value.parameters("v").get(0).array().toFloatArray()).containsOnly(0f);
            float[] w = reward.parameters("score").get(0).array().toFloatArray();
            double sum = 0;
            double squares = 0;
            for (float x : w) {
                sum += x;
                squares += x * x;
            }
            double mean = sum / w.length;
            double std = Math.sqrt(squares / w.length - mean * mean);
            assertThat(std).isCloseTo(1.0 / 64, within(0.05 / 64));   // 1/√(4095+1) = 1/64
            assertThat(mean).isCloseTo(0, within(4.0 / 64 / 64));     // 4 standard errors
        }
    }

    @Test
    void savesAndLoadsAndNamesBadFiles(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); ScalarHead head = ScalarHead.reward(8, 3, m)) {
            head.save(dir.resolve("head.safetensors"), "score");
            try (ScalarHead back = ScalarHead.load(dir.resolve("head.safetensors"), "score", 8, m)) {
                assertThat(back.parameters("s").get(0).array().toFloatArray())
                        .containsExactly(head.parameters("s").get(0).array().toFloatArray());
            }
            assertThatThrownBy(() -> ScalarHead.load(dir.resolve("head.safetensors"), "score", 9, m))
                    .hasMessageContaining("expected [1, 9]");
            assertThatThrownBy(() -> ScalarHead.load(dir.resolve("head.safetensors"), "v_head", 8, m))
                    .hasMessageContaining("missing tensor \"v_head.weight\"");
        }
    }
}
