package org.jalign.reward;

import org.jalign.lm.train.SequenceBatch;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import org.jalign.lm.Architecture;
import org.jalign.lm.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RewardModelTest {
    private static final long SEED = 17;
    private static final List<int[]> SEQUENCES = List.of(TinyRewardModels.tokens(3, 1), TinyRewardModels.tokens(9, 2),
            TinyRewardModels.tokens(5, 3), TinyRewardModels.tokens(1, 4));

    private static float[] raw(RewardModel model, List<int[]> sequences, SequenceBatch.Side side) {
        try (NDManager scope = model.languageModel().decoder().manager().newSubManager()) {
            return model.rawRewards(SequenceBatch.of(sequences, model.languageModel().specialTokens().padId(), side,
                    model.languageModel().config()), scope).toFloatArray();
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void theRewardIsReadAtTheLastRealTokenOfLeftAndRightPaddedRows(Architecture architecture) throws Exception {
        ModelConfig config = TinyRewardModels.config(architecture);
        try (RewardModel model = RewardModel.create(TinyRewardModels.languageModel(config, SEED), 5, null)) {
            float[] left = raw(model, SEQUENCES, SequenceBatch.Side.LEFT);
            float[] right = raw(model, SEQUENCES, SequenceBatch.Side.RIGHT);
            float[] w = model.headWeight().array().toFloatArray();
            for (int i = 0; i < SEQUENCES.size(); i++) {
                float alone = raw(model, List.of(SEQUENCES.get(i)), SequenceBatch.Side.LEFT)[0];
                assertThat(left[i]).as("left-padded row %d", i).isCloseTo(alone, within(1e-5f));
                assertThat(right[i]).as("right-padded row %d", i).isCloseTo(alone, within(1e-5f));
                // and the value itself: w · h(last token) of the float64 reference
                double reference = TinyRewardModels.referenceScores(config, SEED, w, 1, SEQUENCES.get(i))[0];
                assertThat((double) alone).as("row %d against the reference", i).isCloseTo(reference, within(1e-4));
            }
            assertThat(model.rawRewards(SEQUENCES)).containsExactly(left);   // the public path is left-padded
        }
    }

    @Test
    void headStartsAtTheRlhfInitWithNoBias() throws Exception {
        try (RewardModel model = RewardModel.create(TinyRewardModels.languageModel(TinyRewardModels.config(Architecture.LLAMA), 1), 9, null)) {
            assertThat(model.headWeight().name()).isEqualTo("score.weight");
            assertThat(model.head().parameters("score").get(1).array().toFloatArray()).containsExactly(0f);
            assertThat(model.normalisation()).isEqualTo(RewardNormalisation.identity());
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void savedAndReloadedItGivesTheSameRewards(Architecture architecture, @TempDir Path dir) throws Exception {
        ModelConfig config = TinyRewardModels.config(architecture);
        try (RewardModel model = RewardModel.create(TinyRewardModels.languageModel(config, SEED), 5, null)) {
            model.setNormalisation(new RewardNormalisation(2.5, -0.75));
            RewardModel.RewardConfig settings = new RewardModel.RewardConfig(model.normalisation(), 0, null, new JsonObject());
            SequenceClassifierFiles.write(dir.resolve("rm"), model.languageModel(), model.scoreMatrix(), List.of("reward"),
                    null, Map.of(SequenceClassifierFiles.REWARD_CONFIG, settings.toJson()));
            float[] before = model.rawRewards(SEQUENCES);
            List<int[]> prompts = new ArrayList<>();
            List<int[]> completions = new ArrayList<>();
            for (int[] s : SEQUENCES.subList(0, 3)) {
                prompts.add(java.util.Arrays.copyOf(s, 1));
                completions.add(java.util.Arrays.copyOfRange(s, 1, s.length));
            }
            float[] scored = model.score(prompts, completions);
            try (RewardModel back = RewardModel.load(dir.resolve("rm"))) {
                assertThat(back.rawRewards(SEQUENCES)).containsExactly(before);
                assertThat(back.normalisation()).isEqualTo(model.normalisation());
                assertThat(back.score(prompts, completions)).containsExactly(scored);
                for (int i = 0; i < 3; i++) {
                    assertThat((double) scored[i]).isCloseTo(2.5 * before[i] - 0.75, within(1e-5));
                }
            }
            // the same directory through the classifier path: the raw logit of its one label
            try (ClassifierReward classifier = ClassifierReward.load(dir.resolve("rm"), null, ClassifierReward.Mode.LOGIT)) {
                assertThat(classifier.labels()).containsExactly("reward");
                // w·h computed as gather-then-project instead of project-then-gather: equal to rounding
                assertThat(classifier.rewards(SEQUENCES)).containsExactly(before, within(1e-6f));
            }
        }
    }

    @Test
    void scoringLeavesNoArraysBehind() throws Exception {
        try (RewardModel model = RewardModel.create(TinyRewardModels.languageModel(TinyRewardModels.config(Architecture.LLAMA), SEED), 5, null)) {
            NDManager manager = model.languageModel().decoder().manager();
            model.rawRewards(SEQUENCES);
            int after = manager.getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                model.rawRewards(SEQUENCES);
                model.score(List.of(new int[] {4, 5}), List.of(new int[] {6}));
            }
            assertThat(manager.getManagedArrays().size()).isEqualTo(after);
        }
    }

    @Test
    void aClassifierWithSeveralLabelsIsNotARewardModel(@TempDir Path dir) throws Exception {
        ModelConfig config = TinyRewardModels.config(Architecture.LLAMA);
        TinyRewardModels.writeClassifier(dir, config, SEED, TinyRewardModels.gaussian(2 * config.hiddenSize(), 1),
                List.of("toxic", "non-toxic"));
        assertThatThrownBy(() -> RewardModel.load(dir)).hasMessageContaining("2 labels [toxic, non-toxic]")
                .hasMessageContaining("--label");
    }
}
