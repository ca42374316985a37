package org.jalign.reward;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.lm.LanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The reward model learns a synthetic preference on a tiny random Llama: chosen completions
 * contain "red", rejected ones are the same words without it. Held-out accuracy starts near
 * chance and ends at ≥ 0.9; the loss falls.
 */
class RewardTrainingTest {
    static RewardTraining.Config config(Path model, Path data, int epochs, long evalEvery) {
        return new RewardTraining.Config(model, data, PreferenceFormat.PAIRS, false, null, 64, 0.2, 16, epochs, 1e-3,
                0.03, 0.0, 1.0, 1, 0.0, 42, 0, evalEvery, false);
    }

    /** Held-out pair accuracy of a reward model on the eval split of {@code c}. */
    static double heldOutAccuracy(RewardModel model, RewardTraining.Config c) throws Exception {
        PreferenceDataset.Split split = PreferenceDataset.split(
                PreferenceDataset.read(c.data(), c.format(), false).examples(), c.evalFraction(), c.seed());
        RewardEncoder encoder = RewardEncoder.forModel(model.languageModel().tokenizer().orElseThrow(), c.model(),
                model.languageModel().specialTokens(), c.maxLength());
        int right = 0;
        for (PreferenceExample e : split.eval()) {
            float[] r = model.rawRewards(List.of(encoder.encode(e.prompt(), e.completions().get(0), "t", 1).tokens(),
                    encoder.encode(e.prompt(), e.completions().get(1), "t", 1).tokens()));
            right += r[0] > r[1] ? 1 : 0;
        }
        return (double) right / split.eval().size();
    }

    @Test
    void heldOutAccuracyRisesFromChanceToAboveNinetyPercent(@TempDir Path dir) throws Exception {
        Path model = RewardFixtures.model(dir);
        Files.writeString(dir.resolve("pairs.jsonl"), RewardFixtures.pairs(400, 3));
        RewardTraining.Config c = config(model, dir.resolve("pairs.jsonl"), 1, 2);
        double before;
        try (RewardModel untrained = RewardModel.create(LanguageModel.load(model), c.seed(), model)) {
            before = heldOutAccuracy(untrained, c);
        }
        long t0 = System.nanoTime();
        RewardTraining.Result r = RewardTraining.run(c, dir.resolve("run"), false, true,
                new PrintWriter(new StringWriter(), true));
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<JsonObject> metrics = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("run/metrics.jsonl"))) {
            metrics.add(JsonParser.parseString(line).getAsJsonObject());
        }
        StringBuilder curve = new StringBuilder();
        for (JsonObject m : metrics) {
            if (m.has("eval_accuracy")) {
                curve.append(String.format(java.util.Locale.ROOT, " %d:%.2f", m.get("step").getAsLong(),
                        m.get("eval_accuracy").getAsDouble()));
            }
        }
        System.out.println("reward learning test: held-out accuracy by step" + curve);
        System.out.printf("reward learning test: %d steps in %.1f s; held-out accuracy %.3f -> %.3f; eval loss %.3f; "
                        + "loss %.3f -> %.3f%n", r.steps(), seconds, before, r.evalAccuracy(), r.evalLoss(),
                metrics.get(0).get("loss").getAsDouble(), r.lastLoss());
        assertThat(before).isBetween(0.3, 0.7);
        assertThat(r.evalAccuracy()).isGreaterThanOrEqualTo(0.9);
        assertThat(r.evalLoss()).isLessThan(Math.log(2) / 2);
        double firstLosses = (metrics.get(0).get("loss").getAsDouble() + metrics.get(1).get("loss").getAsDouble()) / 2;
        assertThat(r.lastLoss()).isLessThan(firstLosses / 2);
        assertThat(metrics).hasSize((int) r.steps());
        assertThat(metrics.get(metrics.size() - 1).has("eval_accuracy")).isTrue();
        // final/ loads as a reward model whose training completions are normalised to mean 0, std 1
        try (RewardModel trained = RewardModel.load(dir.resolve("run/final"))) {
            assertThat(heldOutAccuracy(trained, c)).isCloseTo(r.evalAccuracy(), within(1e-9));
            assertThat(trained.normalisation()).isEqualTo(r.normalisation());
            assertThat(trained.maxLength()).isEqualTo(64);
        }
        assertThat(dir.resolve("run/final/tokenizer.json")).exists();
        assertThat(dir.resolve("run/manifest.json")).exists();
    }

    @Test
    void rankedDataTrainsOnAllPairsOfEachPrompt(@TempDir Path dir) throws Exception {
        Path model = RewardFixtures.model(dir);
        Files.writeString(dir.resolve("ranked.jsonl"), RewardFixtures.ranked(200, 5));
        RewardTraining.Config c = new RewardTraining.Config(model, dir.resolve("ranked.jsonl"), PreferenceFormat.RANKED,
                false, null, 64, 0.2, 8, 1, 1e-3, 0.03, 0.0, 1.0, 1, 0.01, 42, 0, 0, false);
        RewardTraining.Result r = RewardTraining.run(c, dir.resolve("run"), false, true,
                new PrintWriter(new StringWriter(), true));
        System.out.printf("reward ranked test: %d steps; eval accuracy %.3f (3 pairs per prompt)%n", r.steps(),
                r.evalAccuracy());
        assertThat(r.trainComparisons() + r.evalComparisons()).isEqualTo(200);
        assertThat(r.evalAccuracy()).isGreaterThanOrEqualTo(0.9);
        JsonObject first = JsonParser.parseString(Files.readAllLines(dir.resolve("run/metrics.jsonl")).get(0)).getAsJsonObject();
        assertThat(first.get("pairs").getAsInt()).isEqualTo(8 * 3);   // C(3, 2) pairs from each of 8 prompts
    }
}
