package org.jalign.constitution;

import com.google.gson.JsonObject;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.optim.AdamWConfig;
import org.jalign.lm.train.CausalLmTrainer;
import org.jalign.lm.train.TokenBatch;
import org.jalign.lm.train.TrainingConfig;
import org.jalign.run.ProgressBar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end: a tiny judge fine-tuned for a few steps to answer "A"/"B" by a rule (the completion
 * that mentions a cat is better) then labels unseen pairs, and the pairs it writes prefer the
 * rule's completions; before training its labels are at chance.
 */
class AiFeedbackLearningTest {
    /** No prompt mentions a cat or a dog: the only cat in a judge prompt is in the option the rule prefers. */
    private static final List<String> PROMPTS = List.of("the park", "the mat", "a red mat", "the big park", "a good mat",
            "the red park", "a big mat");
    private static final List<String> GOOD = List.of("a cat", "the cat sat", "a kind cat", "the cat ran", "a good cat");
    private static final List<String> BAD = List.of("a dog", "the dog sat", "a rude dog", "the dog ran", "a bad dog");

    @Test
    void aJudgeTrainedOnARuleLabelsUnseenPairsByThatRule(@TempDir Path dir) throws Exception {
        Path modelDir = ConstitutionFixtures.model(dir.resolve("judge"), 31);
        Constitution constitution = ConstitutionFixtures.constitution();
        try (LanguageModel model = LanguageModel.load(modelDir)) {
            LogProbJudge judge = new LogProbJudge(model, ConversationFormat.forModel(model, modelDir), 32);
            // train on the first 4 good and bad texts; unseen pairs use the fifth of each
            List<JudgeItem> unseen = new ArrayList<>();
            for (int p = 0; p < PROMPTS.size(); p++) {
                unseen.add(new JudgeItem(p, "p" + p, PROMPTS.get(p), p % 2 == 0
                        ? List.of(GOOD.get(4), BAD.get(4), BAD.get(p % 4)) : List.of(BAD.get(4), GOOD.get(4), GOOD.get(p % 4))));
            }
            double before = ruleAgreement(unseen, constitution, judge);

            Random random = new Random(5);
            double lastLosses = 0;
            TrainingConfig training = new TrainingConfig(70, 5, TrainingConfig.Schedule.COSINE, 0.1,
                    new AdamWConfig(1e-2, 0.9, 0.99, 1e-8, 0.0), 1.0, 1);
            try (CausalLmTrainer trainer = new CausalLmTrainer(model, training)) {
                for (int step = 0; step < training.steps(); step++) {
                    List<int[]> tokens = new ArrayList<>();
                    List<boolean[]> targets = new ArrayList<>();
                    for (int row = 0; row < 8; row++) {
                        String good = GOOD.get(random.nextInt(4));
                        String bad = BAD.get(random.nextInt(4));
                        boolean goodFirst = random.nextBoolean();
                        PreferenceJudge.Comparison c = new PreferenceJudge.Comparison(
                                constitution.get(random.nextInt(constitution.size())), PROMPTS.get(random.nextInt(PROMPTS.size())),
                                goodFirst ? good : bad, goodFirst ? bad : good);
                        int[] prompt = judge.promptIds(c);
                        int[] sequence = Arrays.copyOf(prompt, prompt.length + 1);
                        sequence[prompt.length] = goodFirst ? judge.firstAnswerId() : judge.secondAnswerId();
                        boolean[] target = new boolean[sequence.length];
                        target[prompt.length] = true;   // the loss falls on the answer alone
                        tokens.add(sequence);
                        targets.add(target);
                    }
                    double loss = trainer.step(List.of(new TokenBatch(tokens, targets))).loss();
                    if (step >= training.steps() - 10) {
                        lastLosses += loss / 10;
                    }
                }
            }
            double after = ruleAgreement(unseen, constitution, judge);
            // 7 items x 3 pairs = 21 pairs, 14 of them between a good and a bad text
            // the answer's cross-entropy starts near ln 57 (uniform over the vocabulary); ln 2 is a coin flip
            assertThat(lastLosses).as("mean loss of the last 10 steps").isLessThan(0.4);
            assertThat(before).as("untrained").isLessThan(0.8);
            assertThat(after).as("trained").isEqualTo(1.0);
        }
    }

    /** The share of good-vs-bad pairs whose written line chooses the good one. */
    private static double ruleAgreement(List<JudgeItem> items, Constitution constitution, PreferenceJudge judge) {
        JudgeConfig config = new JudgeConfig(2, 0, 32, 3, JudgeConfig.OutputFormat.PAIRS);
        ProgressBar quiet = new ProgressBar("", -1, new PrintWriter(new StringWriter()), true);
        List<JsonObject> lines = AiFeedback.pairLines(AiFeedback.judge(items, constitution, judge, config, quiet), 0).lines();
        int mixed = 0;
        int right = 0;
        for (JsonObject line : lines) {
            boolean chosenGood = line.get("chosen").getAsString().contains("cat");
            boolean rejectedGood = line.get("rejected").getAsString().contains("cat");
            if (chosenGood != rejectedGood) {
                mixed++;
                right += chosenGood ? 1 : 0;
            }
        }
        assertThat(mixed).isEqualTo(14);
        return (double) right / mixed;
    }
}
