package org.jalign.demo;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole demo at its quick sizes, once: every stage ran on what the previous one made, and the
 * loop did what RLHF is for. The references are independent of what was learned: the world's
 * toxicity word list and its criterion, applied to the texts, and the careless labeler the panel
 * was built with.
 */
class DemoTest {

    @TempDir
    static Path dir;

    private static Demo.Result result;

    @BeforeAll
    static void runTheDemo() throws IOException {
        result = Demo.run(DemoConfig.quick(0), dir.resolve("demo"), true, new PrintWriter(new StringWriter()));
    }

    @Test
    void thePanelsCarelessLabelerIsFoundAndLeftOut() {
        assertThat(result.flaggedLabelers()).containsExactly("careless");
        assertThat(result.pairwiseAgreement()).isBetween(0.5, 1.0);
    }

    @Test
    void theConsensusPairsPreferWhatTheCriterionPrefers() throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("demo/pairs.jsonl"));
        assertThat(lines).hasSize(result.pairs());
        int agree = 0;
        int disagree = 0;
        for (String line : lines) {
            JsonObject pair = JsonParser.parseString(line).getAsJsonObject();
            String topic = DemoWorld.topicOf(pair.get("prompt").getAsString());
            int chosen = DemoWorld.criterionScore(pair.get("chosen").getAsString(), topic);
            int rejected = DemoWorld.criterionScore(pair.get("rejected").getAsString(), topic);
            if (chosen > rejected) {
                agree++;
            } else if (chosen < rejected) {
                disagree++;
            }
        }
        assertThat(agree).as("pairs the criterion orders the same way, against %d the other way", disagree)
                .isGreaterThan(5 * disagree);
    }

    @Test
    void theRewardModelLearnedThePreferences() {
        assertThat(result.rewardEvalAccuracy()).isGreaterThan(0.6);
    }

    @Test
    void ppoAndDpoMakeThePolicyLessToxicThanTheBase() {
        Demo.PolicyScores base = result.evaluation().policies().get("base");
        Demo.PolicyScores ppo = result.evaluation().policies().get("ppo");
        Demo.PolicyScores dpo = result.evaluation().policies().get("dpo");
        assertThat(base.toxicRate()).as("the base insults as often as its corpus").isGreaterThan(0.25);
        assertThat(ppo.toxicRate()).isLessThan(base.toxicRate() - 0.15);
        assertThat(ppo.criterionScore()).isGreaterThan(base.criterionScore());
        assertThat(dpo.toxicRate()).isLessThan(base.toxicRate() - 0.05);
        assertThat(ppo.klToBase()).as("PPO moved away from the base, held by the KL penalty").isBetween(0.01, 20.0);
        assertThat(base.klToBase()).isEqualTo(0.0);
        assertThat(ppo.winRateVsBase()).isGreaterThan(0.5);
    }

    @Test
    void theReportShowsEveryPolicyAndTheCurves() throws IOException {
        String html = Files.readString(result.evaluation().report());
        assertThat(html).contains("ppo", "dpo", "base", "toxic", "<svg");
    }

    @Test
    void runningAgainResumesEveryStepAndGivesTheSameNumbers() throws IOException {
        Demo.Result again = Demo.run(DemoConfig.quick(0), dir.resolve("demo"), true, new PrintWriter(new StringWriter()));
        assertThat(again.pairs()).isEqualTo(result.pairs());
        assertThat(again.rewardEvalAccuracy()).isEqualTo(result.rewardEvalAccuracy());
        assertThat(again.evaluation().policies()).isEqualTo(result.evaluation().policies());
    }
}
