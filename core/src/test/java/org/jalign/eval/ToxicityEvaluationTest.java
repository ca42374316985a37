package org.jalign.eval;

import ai.djl.pytorch.jni.JniUtils;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.TinyCheckpoints;
import org.jalign.lm.TinyModels;
import org.jalign.reward.ClassifierReward;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Before vs after on a tiny toxicity classifier: each policy's flagged share and mean p(toxic)
 * against every completion scored on its own by the float64 reference transformer; the judge
 * hook and the win rates against counts made here; same seeds give the same draws.
 */
class ToxicityEvaluationTest {
    private static final ModelConfig CONFIG = TinyCheckpoints.tinyLlama();
    private static final List<String> LABELS = List.of("non-toxic", "toxic");
    private static final long CLASSIFIER_SEED = 7;

    @BeforeAll
    static void oneThread() {
        ai.djl.engine.Engine.getInstance();
        JniUtils.setNumThreads(1);
    }

    @AfterAll
    static void restoreThreads() {
        JniUtils.setNumThreads(Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void flaggedSharesAndWinRatesMatchCompletionsScoredOneByOne(@TempDir Path dir) throws Exception {
        float[] score = EvalFixtures.gaussian(LABELS.size() * CONFIG.hiddenSize(), 0.6, 3);
        EvalFixtures.writeClassifier(dir.resolve("toxicity"), CONFIG, CLASSIFIER_SEED, score, LABELS);
        SplittableRandom random = new SplittableRandom(9);
        List<PolicyEvaluation.EvaluationPrompt> prompts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int[] ids = random.ints(2 + i % 4, 3, CONFIG.vocabSize()).toArray();
            ids[0] = 1;
            prompts.add(new PolicyEvaluation.EvaluationPrompt("prompt " + i, ids));
        }
        // a judge plugged in through the hook: the longer completion wins (a rule the test can count itself)
        PairwiseJudge longer = pairs -> pairs.stream().map(p -> Direction.HIGHER_IS_BETTER.compare(
                p.policyCompletionIds().length, p.baselineCompletionIds().length)).toList();
        SamplingSettings sampling = new SamplingSettings(3, 8, 1.0, 21, 4);
        EvaluationResult result;
        try (LanguageModel before = TinyModels.create(CONFIG, 1); LanguageModel after = TinyModels.create(CONFIG, 2);
             ClassifierReward classifier = ClassifierReward.load(dir.resolve("toxicity"), "toxic",
                     ClassifierReward.Mode.LOG_PROBABILITY)) {
            Scorer toxicity = Scorer.probability(classifier, Direction.LOWER_IS_BETTER, 0.5);
            result = PolicyEvaluation.evaluate(List.of(new PolicyEvaluation.Candidate("before", before),
                            new PolicyEvaluation.Candidate("after", after)), "before", before, prompts, List.of(toxicity),
                    List.of(new PolicyEvaluation.Judge("longer", longer)), sampling, new PrintWriter(new StringWriter()), true);
        }
        assertThat(result.scorers()).containsExactly("p(toxic)");
        assertThat(result.samples()).hasSize(30);
        int flaggedSomewhere = 0;
        for (int policy = 0; policy < 2; policy++) {
            String name = policy == 0 ? "before" : "after";
            double sum = 0;
            int flagged = 0;
            for (EvaluationResult.Sample s : result.samples()) {
                EvaluationResult.Completion c = s.completions().get(policy);
                assertThat(c.policy()).isEqualTo(name);
                int[] prompt = prompts.get(s.promptIndex()).ids();
                int[] ids = c.ids();
                int[] whole = new int[prompt.length + ids.length];
                System.arraycopy(prompt, 0, whole, 0, prompt.length);
                System.arraycopy(ids, 0, whole, prompt.length, ids.length);
                double p = EvalFixtures.referenceProbabilities(CONFIG, CLASSIFIER_SEED, score, 2, whole)[1];
                assertThat(c.scores().get(0)).as("%s prompt %d sample %d", name, s.promptIndex(), s.sampleIndex())
                        .isCloseTo(p, within(1e-4));
                sum += p;
                flagged += p >= 0.5 ? 1 : 0;
            }
            EvaluationResult.ScoreSummary summary = result.policy(name).scores().get(0);
            assertThat(summary.flagged().successes()).as(name + " flagged").isEqualTo(flagged);
            assertThat(summary.flagged().trials()).isEqualTo(30);
            assertThat(summary.score().mean()).isCloseTo(sum / 30, within(1e-5));
            flaggedSomewhere += flagged > 0 && flagged < 30 ? 1 : 0;
        }
        assertThat(flaggedSomewhere).as("the classifier flags some completions and not others").isPositive();

        // win rates: by the toxicity score (lower wins) and by the judge, recounted here
        int toxicityWins = 0;
        int toxicityTies = 0;
        int longerWins = 0;
        int longerTies = 0;
        for (EvaluationResult.Sample s : result.samples()) {
            EvaluationResult.Completion base = s.completions().get(0);
            EvaluationResult.Completion after = s.completions().get(1);
            double pa = after.scores().get(0);
            double pb = base.scores().get(0);
            toxicityWins += pa < pb ? 1 : 0;
            toxicityTies += pa == pb ? 1 : 0;
            longerWins += after.ids().length > base.ids().length ? 1 : 0;
            longerTies += after.ids().length == base.ids().length ? 1 : 0;
        }
        List<EvaluationResult.JudgedWinRate> wins = result.policy("after").winRates();
        assertThat(wins).extracting(EvaluationResult.JudgedWinRate::judge).containsExactly("p(toxic)", "longer");
        assertThat(wins.get(0).winRate().rate()).isEqualTo((toxicityWins + 0.5 * toxicityTies) / 30);
        assertThat(wins.get(1).winRate().wins()).isEqualTo(longerWins);
        assertThat(wins.get(1).winRate().ties()).isEqualTo(longerTies);
        assertThat(result.policy("before").winRates()).isEmpty();
        // the baseline is the reference: its KL is exactly 0; the other policy's is positive
        assertThat(result.policy("before").klK1().mean()).isEqualTo(0.0);
        assertThat(result.policy("after").klK1().mean()).isPositive();
        assertThat(result.policy("after").klK3().mean()).isPositive();
    }

    @Test
    void batchingDoesNotChangeAnyCompletion() {
        List<PolicyEvaluation.EvaluationPrompt> prompts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            prompts.add(new PolicyEvaluation.EvaluationPrompt("p" + i, new int[] {1, 4 + i, 9}));
        }
        try (LanguageModel model = TinyModels.create(CONFIG, 4)) {
            PolicyEvaluation.Candidate c = new PolicyEvaluation.Candidate("m", model);
            PrintWriter quiet = new PrintWriter(new StringWriter());
            PolicyEvaluation.Rollout one = PolicyEvaluation.rollOut(c, null, prompts, List.of(),
                    new SamplingSettings(2, 6, 1.0, 8, 1), quiet, true);
            PolicyEvaluation.Rollout all = PolicyEvaluation.rollOut(c, null, prompts, List.of(),
                    new SamplingSettings(2, 6, 1.0, 8, 5), quiet, true);
            assertThat(all.sequences()).isEqualTo(one.sequences());
            assertThat(all.klK1()).containsOnly(Double.NaN);
        }
    }
}
