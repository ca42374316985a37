package org.jalign.constitution;

import com.google.gson.JsonObject;
import org.jalign.data.JsonlReader;
import org.jalign.lm.LanguageModel;
import org.jalign.reward.PreferenceDataset;
import org.jalign.reward.PreferenceExample;
import org.jalign.reward.PreferenceFormat;
import org.jalign.run.ProgressBar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The log-prob judge against the full-sequence log-prob path ({@link LanguageModel#logProbs}), its
 * batching, and AI feedback's labels against hand-worked judges.
 */
class LogProbJudgeTest {
    @TempDir
    static Path dir;
    private static LanguageModel model;
    private static LanguageModel chatModel;

    private static final Constitution CONSTITUTION = ConstitutionFixtures.constitution();

    @BeforeAll
    static void load() throws Exception {
        model = LanguageModel.load(ConstitutionFixtures.model(dir.resolve("plain"), 11));
        chatModel = LanguageModel.load(ConstitutionFixtures.chatModel(dir.resolve("chat"), 12));
    }

    @AfterAll
    static void close() {
        model.close();
        chatModel.close();
    }

    private static List<PreferenceJudge.Comparison> comparisons() {
        return List.of(
                new PreferenceJudge.Comparison(CONSTITUTION.get(0), "the cat sat", "a good cat", "a rude dog ran to the park"),
                new PreferenceJudge.Comparison(CONSTITUTION.get(1), "the dog", "bad", "the cat sat on the mat ."),
                new PreferenceJudge.Comparison(CONSTITUTION.get(2), "the cat sat on the mat and the dog ran", "kind", "rude"),
                new PreferenceJudge.Comparison(CONSTITUTION.get(0), "a", "a rude dog ran to the park", "a good cat"));
    }

    /** σ(log p(A | prompt) − log p(B | prompt)), each read as the last entry of a full-sequence log-prob pass. */
    private static double reference(LanguageModel m, LogProbJudge judge, PreferenceJudge.Comparison c) {
        int[] prompt = judge.promptIds(c);
        int[] withA = Arrays.copyOf(prompt, prompt.length + 1);
        withA[prompt.length] = ConstitutionFixtures.id("A");
        int[] withB = Arrays.copyOf(prompt, prompt.length + 1);
        withB[prompt.length] = ConstitutionFixtures.id("B");
        float[][] lp = m.logProbs(List.of(withA, withB));
        double a = lp[0][prompt.length - 1];
        double b = lp[1][prompt.length - 1];
        return Math.exp(a) / (Math.exp(a) + Math.exp(b));
    }

    @Test
    void theJudgeProbabilityEqualsTheOneFromFullSequenceLogProbs() throws Exception {
        for (LanguageModel m : List.of(model, chatModel)) {
            ConversationFormat format = ConversationFormat.forModel(m, dir.resolve(m == model ? "plain" : "chat"));
            LogProbJudge judge = new LogProbJudge(m, format, 3); // 4 comparisons: batches of 3 and 1, mixed lengths
            assertThat(judge.firstAnswerId()).isEqualTo(ConstitutionFixtures.id("A"));
            assertThat(judge.secondAnswerId()).isEqualTo(ConstitutionFixtures.id("B"));
            double[] batched = judge.probabilitiesFirstPreferred(comparisons());
            double spread = 0;
            for (int i = 0; i < batched.length; i++) {
                double ref = reference(m, judge, comparisons().get(i));
                assertThat(batched[i]).as("comparison %d", i).isCloseTo(ref, within(2e-6));
                assertThat(judge.probabilityFirstPreferred(comparisons().get(i))).isCloseTo(batched[i], within(2e-6));
                spread = Math.max(spread, Math.abs(batched[i] - 0.5));
            }
            // a random model is not at ½ everywhere, so the comparison above is not of constants
            assertThat(spread).isGreaterThan(1e-3);
        }
    }

    @Test
    void judgingBothOrdersMakesTheLabelAntisymmetric() throws Exception {
        LogProbJudge judge = new LogProbJudge(model, ConversationFormat.forModel(model, dir.resolve("plain")), 4);
        JudgeItem forward = new JudgeItem(0, "p", "the cat sat", List.of("a good cat", "a rude dog"));
        JudgeItem backward = new JudgeItem(0, "p", "the cat sat", List.of("a rude dog", "a good cat"));
        JudgeConfig config = new JudgeConfig(2, 0, 4, 5, JudgeConfig.OutputFormat.PAIRS);
        ProgressBar quiet = new ProgressBar("", -1, new PrintWriter(new StringWriter()), true);
        AiFeedback.JudgedPair xy = AiFeedback.judge(List.of(forward), CONSTITUTION, judge, config, quiet).get(0);
        AiFeedback.JudgedPair yx = AiFeedback.judge(List.of(backward), CONSTITUTION, judge, config, quiet).get(0);
        assertThat(xy.principles()).isEqualTo(yx.principles()).hasSize(2);
        assertThat(xy.probability() + yx.probability()).isCloseTo(1.0, within(1e-15));
        // and the raw one-order answers are not antisymmetric themselves (the bias that is removed)
        PreferenceJudge.Comparison ab = new PreferenceJudge.Comparison(CONSTITUTION.get(0), "the cat sat", "a good cat", "a rude dog");
        PreferenceJudge.Comparison ba = new PreferenceJudge.Comparison(CONSTITUTION.get(0), "the cat sat", "a rude dog", "a good cat");
        assertThat(Math.abs(judge.probabilityFirstPreferred(ab) + judge.probabilityFirstPreferred(ba) - 1)).isGreaterThan(1e-4);
    }

    @Test
    void pairsFromARuleJudgeMatchHandWorkedLabelsAndReadAsRewardData() {
        // true preference: completions containing "cat" win with 0.8, plus a +0.1 bias toward the first shown
        PreferenceJudge rule = c -> {
            double truth = c.first().contains("cat") == c.second().contains("cat") ? 0.5 : c.first().contains("cat") ? 0.8 : 0.2;
            return truth + 0.1;
        };
        JudgeItem item = new JudgeItem(0, "id-0", "tell me", List.of("a dog", "a cat", "the dog ran"));
        JudgeConfig config = new JudgeConfig(1, 0.05, 8, 1, JudgeConfig.OutputFormat.PAIRS);
        ProgressBar quiet = new ProgressBar("", -1, new PrintWriter(new StringWriter()), true);
        List<AiFeedback.JudgedPair> judged = AiFeedback.judge(List.of(item), CONSTITUTION, rule, config, quiet);
        // pairs (0,1), (0,2), (1,2): P = ½(p(i,j) + 1 − p(j,i)) = 0.2, 0.5, 0.8
        double[] expected = {0.2, 0.5, 0.8};
        for (int k = 0; k < 3; k++) {
            assertThat(judged.get(k).probability()).isCloseTo(expected[k], within(1e-15));
        }
        AiFeedback.PairLines lines = AiFeedback.pairLines(judged, config.minConfidence());
        assertThat(lines.dropped()).isEqualTo(1);
        assertThat(lines.lines()).hasSize(2);
        JsonObject first = lines.lines().get(0);
        assertThat(first.get("chosen").getAsString()).isEqualTo("a cat");
        assertThat(first.get("rejected").getAsString()).isEqualTo("a dog");
        assertThat(first.get("prompt").getAsString()).isEqualTo("tell me");
        assertThat(first.get("prompt_id").getAsString()).isEqualTo("id-0");
        assertThat(first.get("preference_probability").getAsDouble()).isCloseTo(0.8, within(1e-12));
        assertThat(first.get("margin").getAsDouble()).isCloseTo(Math.log(4), within(1e-12));
        assertThat(first.get("labeler_count").getAsInt()).isEqualTo(1);
        assertThat(lines.lines().get(1).get("chosen").getAsString()).isEqualTo("a cat");
        assertThat(lines.lines().get(1).get("rejected").getAsString()).isEqualTo("the dog ran");

        // reward train's reader takes the lines unchanged
        StringBuilder text = new StringBuilder();
        lines.lines().forEach(l -> text.append(l).append('\n'));
        List<PreferenceExample> read = PreferenceDataset.read(JsonlReader.of("ai.jsonl", text.toString()),
                PreferenceFormat.PAIRS, false).examples();
        assertThat(read).hasSize(2);
        assertThat(read.get(0).completions()).containsExactly("a cat", "a dog");

        // ranked: expected wins a dog 0.2 + 0.5, a cat 0.8 + 0.8, the dog ran 0.5 + 0.2 → ranks 2, 1, 2
        JsonObject ranked = AiFeedback.rankedLines(List.of(item), judged).get(0);
        assertThat(ranked.get("ranks").toString()).isEqualTo("[2,1,2]");
    }

    @Test
    void aJudgeWhoseTokenizerHasNoSingleAnswerTokensIsRefused() throws Exception {
        Path noAnswers = ConstitutionFixtures.modelWithoutAnswerTokens(dir.resolve("no-answers"), 13);
        try (LanguageModel m = LanguageModel.load(noAnswers)) {
            assertThatThrownBy(() -> new LogProbJudge(m, ConversationFormat.forModel(m, noAnswers), 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("gives \"A\" and \"B\" the same id " + ConstitutionFixtures.id("<unk>"));
        }
    }
}
