package org.jalign.reward;

import ai.djl.ndarray.NDManager;
import org.jalign.lm.Architecture;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.TinyCheckpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Hugging Face sequence classifiers written by the test, scored against the float64 reference. */
class ClassifierRewardTest {
    private static final long SEED = 29;
    private static final List<String> LABELS = List.of("toxic", "non-toxic", "unsure");
    private static final List<int[]> SEQUENCES = List.of(TinyRewardModels.tokens(6, 1), TinyRewardModels.tokens(2, 2),
            TinyRewardModels.tokens(11, 3));

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void logitsAreTheReferenceHiddenStateTimesTheScoreWeight(Architecture architecture, @TempDir Path dir) throws Exception {
        ModelConfig config = TinyRewardModels.config(architecture);
        float[] score = TinyRewardModels.gaussian(LABELS.size() * config.hiddenSize(), 7);
        TinyRewardModels.writeClassifier(dir, config, SEED, score, LABELS);
        try (ClassifierReward classifier = ClassifierReward.load(dir, "non-toxic", ClassifierReward.Mode.LOGIT)) {
            assertThat(classifier.labels()).containsExactlyElementsOf(LABELS);
            assertThat(classifier.label()).isEqualTo(1);
            float[][] logits = classifier.logits(SEQUENCES);
            float[] rewards = classifier.rewards(SEQUENCES);
            for (int i = 0; i < SEQUENCES.size(); i++) {
                double[] reference = TinyRewardModels.referenceScores(config, SEED, score, LABELS.size(), SEQUENCES.get(i));
                for (int k = 0; k < LABELS.size(); k++) {
                    assertThat((double) logits[i][k]).as("row %d class %d", i, k).isCloseTo(reference[k], within(1e-4));
                }
                assertThat((double) rewards[i]).isCloseTo(reference[1], within(1e-4));
            }
            // the seam: prompt and completion ids are concatenated
            int[] s = SEQUENCES.get(0);
            assertThat(classifier.score(List.of(java.util.Arrays.copyOf(s, 2)), List.of(java.util.Arrays.copyOfRange(s, 2, s.length))))
                    .containsExactly(new float[] {rewards[0]}, within(1e-5f));   // batched alone: equal to rounding
        }
    }

    @Test
    void theModesAreLogitLogOddsAndLogProbability(@TempDir Path dir) throws Exception {
        ModelConfig config = TinyCheckpoints.tinyLlama();
        float[] score = TinyRewardModels.gaussian(LABELS.size() * config.hiddenSize(), 8);
        TinyRewardModels.writeClassifier(dir, config, SEED, score, LABELS);
        float[][] z;
        try (ClassifierReward logit = ClassifierReward.load(dir, "1", ClassifierReward.Mode.LOGIT)) {
            z = logit.logits(SEQUENCES);
        }
        try (ClassifierReward odds = ClassifierReward.load(dir, "non-toxic", ClassifierReward.Mode.LOG_ODDS);
             ClassifierReward logProb = ClassifierReward.load(dir, "non-toxic", ClassifierReward.Mode.LOG_PROBABILITY)) {
            float[] o = odds.rewards(SEQUENCES);
            float[] p = logProb.rewards(SEQUENCES);
            for (int i = 0; i < z.length; i++) {
                double e0 = Math.exp(z[i][0]);
                double e1 = Math.exp(z[i][1]);
                double e2 = Math.exp(z[i][2]);
                double p1 = e1 / (e0 + e1 + e2);
                assertThat((double) o[i]).isCloseTo(Math.log(p1 / (1 - p1)), within(1e-5));
                assertThat((double) p[i]).isCloseTo(Math.log(p1), within(1e-5));
            }
        }
    }

    @Test
    void badDirectoriesAndLabelsAreNamed(@TempDir Path dir) throws Exception {
        ModelConfig config = TinyCheckpoints.tinyLlama();
        Path classifier = TinyRewardModels.writeClassifier(dir.resolve("c"), config, SEED,
                TinyRewardModels.gaussian(2 * config.hiddenSize(), 1), List.of("negative", "positive"));
        assertThatThrownBy(() -> ClassifierReward.load(classifier, "neutral", ClassifierReward.Mode.LOGIT))
                .hasMessageContaining("--label \"neutral\"").hasMessageContaining("[negative, positive]");
        assertThatThrownBy(() -> ClassifierReward.load(classifier, "2", ClassifierReward.Mode.LOGIT))
                .hasMessageContaining("index 0..1");
        // a causal LM is not a classifier
        Path lm = TinyCheckpoints.write(dir.resolve("lm"), config, 1);
        assertThatThrownBy(() -> ClassifierReward.load(lm, null, ClassifierReward.Mode.LOGIT))
                .hasMessageContaining("architectures[0] is \"LlamaForCausalLM\"")
                .hasMessageContaining("expected a sequence classifier");
        // score.weight of the wrong shape: two labels declared, three rows stored
        Path wrong = TinyRewardModels.writeClassifier(dir.resolve("w"), config, SEED,
                TinyRewardModels.gaussian(3 * config.hiddenSize(), 1), List.of("a", "b", "c"));
        Files.writeString(wrong.resolve("config.json"), Files.readString(wrong.resolve("config.json"))
                .replace("\"2\": \"c\"", "\"9\": \"c\"").replace(",\n    \"9\": \"c\"", ""));
        assertThatThrownBy(() -> ClassifierReward.load(wrong, null, ClassifierReward.Mode.LOGIT))
                .hasMessageContaining("\"score.weight\" has shape [3, 32]").hasMessageContaining("[2, 32]");
    }

    @Test
    void scoringLeavesNoArraysBehind(@TempDir Path dir) throws Exception {
        ModelConfig config = TinyCheckpoints.tinyGpt2();
        TinyRewardModels.writeClassifier(dir, config, SEED, TinyRewardModels.gaussian(2 * config.hiddenSize(), 1),
                List.of("a", "b"));
        try (ClassifierReward classifier = ClassifierReward.load(dir, "b", ClassifierReward.Mode.LOG_ODDS)) {
            NDManager manager = classifier.languageModel().decoder().manager();
            classifier.rewards(SEQUENCES);
            int after = manager.getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                classifier.rewards(SEQUENCES);
            }
            assertThat(manager.getManagedArrays().size()).isEqualTo(after);
        }
    }
}
