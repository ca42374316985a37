package org.jalign.dpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.ReferenceTransformer;
import org.jalign.lm.TensorSource;
import org.jalign.lm.TinyCheckpoints;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The implicit reward β·(log π(y|x) − log π_ref(y|x)) of each completion, computed the training
 * way (one left-padded batch of sequences of different lengths, completion tokens only), equals
 * the float64 {@link ReferenceTransformer} sum over the same tokens, for a policy and a reference
 * with different weights; and the DPO loss on those rewards equals its float64 formula.
 */
class ImplicitRewardTest {
    private static final double BETA = 0.1;

    /** prompt tokens unscored, completion tokens scored. */
    private static DpoEncoder.Encoded sequence(int[] prompt, int[] completion) {
        int[] tokens = new int[prompt.length + completion.length];
        boolean[] scored = new boolean[tokens.length];
        System.arraycopy(prompt, 0, tokens, 0, prompt.length);
        System.arraycopy(completion, 0, tokens, prompt.length, completion.length);
        for (int i = prompt.length; i < tokens.length; i++) {
            scored[i] = true;
        }
        return new DpoEncoder.Encoded(tokens, scored, false, false);
    }

    private static double referenceSum(ModelConfig config, Map<String, float[]> weights, DpoEncoder.Encoded e) {
        double[] logProbs = ReferenceTransformer.tokenLogProbs(config, weights, e.tokens());
        double sum = 0;
        for (int i = 1; i < e.length(); i++) {
            sum += e.scored()[i] ? logProbs[i - 1] : 0;
        }
        return sum;
    }

    @Test
    void rewardsMatchTheFloat64ReferenceAndTheLossItsFormula() throws Exception {
        ModelConfig config = TinyCheckpoints.tinyLlama();
        Map<String, float[]> policyWeights = TinyCheckpoints.randomWeights(config, 11);
        Map<String, float[]> referenceWeights = TinyCheckpoints.randomWeights(config, 12);
        // chosen/rejected of two prompts; lengths 7, 4, 9, 5 so every row but one is left-padded
        List<DpoEncoder.Encoded> rows = List.of(
                sequence(new int[] {1, 5, 9}, new int[] {14, 20, 33, 2}),
                sequence(new int[] {1, 7}, new int[] {40, 2}),
                sequence(new int[] {1, 5, 9}, new int[] {11, 12, 13, 50, 51, 2}),
                sequence(new int[] {1, 7}, new int[] {3, 4, 2}));
        try (LanguageModel policy = LanguageModel.of(config, TensorSource.of(policyWeights, TinyCheckpoints.shapes(config)));
             LanguageModel reference = LanguageModel.of(config, TensorSource.of(referenceWeights, TinyCheckpoints.shapes(config)));
             NDManager scope = NDManager.newBaseManager()) {
            float[] pi = DpoTrainer.sequenceLogProbs(policy, rows, scope).toFloatArray();
            float[] ref = DpoTrainer.sequenceLogProbs(reference, rows, scope).toFloatArray();
            double[] expected = new double[4];
            for (int r = 0; r < 4; r++) {
                double piExact = referenceSum(config, policyWeights, rows.get(r));
                double refExact = referenceSum(config, referenceWeights, rows.get(r));
                expected[r] = BETA * (piExact - refExact);
                assertThat((double) pi[r]).as("log π of row %d", r).isCloseTo(piExact, within(1e-4));
                assertThat(BETA * (pi[r] - ref[r])).as("reward of row %d", r).isCloseTo(expected[r], within(1e-5));
            }
            // laid out as the trainer does, [chosen…, rejected…]: pairs (row 0, row 2) and (row 1, row 3)
            DpoLoss.PairOutcome o = DpoLoss.sigmoid(new DpoLoss.PairLogProbs(scope.create(new float[] {pi[0], pi[1]}),
                    scope.create(new float[] {pi[2], pi[3]}), scope.create(new float[] {ref[0], ref[1]}),
                    scope.create(new float[] {ref[2], ref[3]}), scope.create(new float[] {4, 2}),
                    scope.create(new float[] {6, 3})), BETA, 0);
            NDArray losses = o.losses();
            for (int p = 0; p < 2; p++) {
                double margin = expected[p] - expected[p + 2];
                assertThat((double) o.chosenRewards().toFloatArray()[p]).isCloseTo(expected[p], within(1e-5));
                assertThat((double) losses.toFloatArray()[p]).isCloseTo(Math.log1p(Math.exp(-margin)), within(1e-5));
            }
        }
    }
}
