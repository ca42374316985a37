package org.jalign.lm.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.jalign.lm.Architecture;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.Parameter;
import org.jalign.lm.ReferenceTransformer;
import org.jalign.lm.TinyCheckpoints;
import org.jalign.lm.TinyModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Next-token log-probs of padded batches against the float64 reference, every family, both sides. */
class SequenceBatchTest {
    private static final long SEED = 31;
    private static final List<int[]> SEQUENCES = List.of(new int[] {1, 5, 9, 4, 7}, new int[] {1, 3}, new int[] {1, 8, 2, 6});

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void nextTokenLogProbsMatchTheReferenceOnBothPaddingSides(Architecture architecture) {
        ModelConfig config = TinyModels.config(architecture);
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(config, SEED);
        double temperature = 0.7;
        try (LanguageModel model = TinyModels.create(config, SEED); NDManager scope = NDManager.newBaseManager()) {
            for (SequenceBatch.Side side : SequenceBatch.Side.values()) {
                SequenceBatch batch = SequenceBatch.of(SEQUENCES, 0, side, config);
                float[] logProbs = batch.nextTokenLogProbs(model.decoder(), scope, temperature).toFloatArray();
                float[] mask = batch.nextTokenMask(scope).toFloatArray();
                int counted = 0;
                for (int r = 0; r < SEQUENCES.size(); r++) {
                    int[] s = SEQUENCES.get(r);
                    int offset = side == SequenceBatch.Side.LEFT ? batch.length() - s.length : 0;
                    double[][] logits = ReferenceTransformer.logits(config, weights, s);
                    for (int t = 0; t < batch.length(); t++) {
                        int i = t - offset; // index within the sequence
                        boolean scored = i >= 0 && i + 1 < s.length;
                        assertThat(mask[r * batch.length() + t]).as("%s row %d column %d", side, r, t)
                                .isEqualTo(scored ? 1f : 0f);
                        if (scored) {
                            double[] scaled = new double[logits[i].length];
                            for (int v = 0; v < scaled.length; v++) {
                                scaled[v] = logits[i][v] / temperature;
                            }
                            double expected = ReferenceTransformer.logSoftmax(scaled)[s[i + 1]];
                            assertThat((double) logProbs[r * batch.length() + t]).as("%s %s row %d token %d",
                                    architecture, side, r, i + 1).isCloseTo(expected, within(1e-4));
                            counted++;
                        }
                    }
                }
                assertThat(counted).isEqualTo(4 + 1 + 3);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void logProbsCarryGradientsToTheModelUnderACollector(Architecture architecture) {
        ModelConfig config = TinyModels.config(architecture);
        try (LanguageModel model = TinyModels.create(config, SEED); NDManager scope = NDManager.newBaseManager()) {
            List<Parameter> parameters = model.decoder().parameters();
            parameters.forEach(p -> p.array().setRequiresGradient(true));
            SequenceBatch batch = SequenceBatch.of(SEQUENCES, 0, SequenceBatch.Side.LEFT, config);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = batch.nextTokenLogProbs(model.decoder(), scope, 1.0).mul(batch.nextTokenMask(scope)).sum().neg();
                collector.backward(loss);
            }
            double total = 0;
            for (Parameter p : parameters) {
                for (float g : p.array().getGradient().toFloatArray()) {
                    total += Math.abs(g);
                }
            }
            assertThat(total).isGreaterThan(0);
        }
    }
}
