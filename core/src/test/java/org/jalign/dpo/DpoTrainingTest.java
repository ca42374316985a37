package org.jalign.dpo;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.lora.LoraConfig;
import org.jalign.reward.RewardFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy learns a synthetic preference on a tiny random Llama: chosen completions contain
 * "big", rejected ones are the same words without it ("big" because the untrained model is
 * indifferent to it: it prefers the chosen completion of exactly half the held-out pairs, where
 * with "red" it already prefers 66%). Held-out reward accuracy (implicit rewards
 * β·(log π − log π_ref) of chosen vs rejected) ends at ≥ 0.9 from a policy that prefers the chosen
 * completion about half the time, and the chosen-minus-rejected log-prob margin rises; before the
 * first update the policy equals the reference, so rewards are 0 and the sigmoid loss is log 2.
 */
class DpoTrainingTest {
    static DpoTraining.Config config(Path model, Path data, DpoObjective objective, LoraConfig lora, double lr,
                                     boolean precompute, long evalEvery) {
        return new DpoTraining.Config(model, data, objective, lora, false, precompute, 64, 0.2, 16, 1, lr, 0.1, 0.0,
                1.0, 1, 42, 0, evalEvery);
    }

    /** Unpaired (KTO) lines from pairs text: chosen → label true, rejected → label false, in file order. */
    static String unpaired(String pairs) {
        StringBuilder out = new StringBuilder();
        for (String line : pairs.split("\n")) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            for (boolean label : new boolean[] {true, false}) {
                JsonObject u = new JsonObject();
                u.add("prompt", o.get("prompt"));
                u.add("completion", o.get(label ? "chosen" : "rejected"));
                u.addProperty("label", label);
                out.append(u).append('\n');
            }
        }
        return out.toString();
    }

    /** Held-out pairs of {@code c} (same prompt split as training) encoded for {@code model}. */
    static List<DpoData.Example> heldOutPairs(LanguageModel model, Path modelDir, Path pairs, DpoTraining.Config c)
            throws Exception {
        DpoEncoder encoder = DpoEncoder.forModel(model.tokenizer().orElseThrow(), modelDir, model.specialTokens(),
                c.maxLength());
        return DpoData.encode(DpoData.readPairs(pairs), true, c.evalFraction(), c.seed(), encoder).eval();
    }

    /** [share of pairs with reward_c > reward_r, mean (log π_c − log π_r)] of {@code policy} against {@code reference}. */
    static double[] rewardAccuracyAndMargin(LanguageModel policy, LanguageModel reference, List<DpoData.Example> pairs) {
        float[] p = DpoTraining.fromModel(policy, false).of(pairs);
        float[] r = DpoTraining.fromModel(reference, false).of(pairs);
        int n = pairs.size();
        int right = 0;
        double margin = 0;
        for (int i = 0; i < n; i++) {
            right += (p[i] - r[i]) > (p[n + i] - r[n + i]) ? 1 : 0;
            margin += p[i] - p[n + i];
        }
        return new double[] {(double) right / n, margin / n};
    }

    /** Share of pairs whose chosen completion the model finds more likely. */
    static double preferenceAccuracy(LanguageModel model, List<DpoData.Example> pairs) {
        float[] p = DpoTraining.fromModel(model, false).of(pairs);
        int n = pairs.size();
        int right = 0;
        for (int i = 0; i < n; i++) {
            right += p[i] > p[n + i] ? 1 : 0;
        }
        return (double) right / n;
    }

    static List<JsonObject> metrics(Path run) throws Exception {
        List<JsonObject> lines = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            lines.add(JsonParser.parseString(line).getAsJsonObject());
        }
        return lines;
    }

    /** Runs {@code c}, prints the curve and returns [accuracy before, accuracy after, margin before, margin after]. */
    private static double[] learn(Path dir, DpoTraining.Config c, Path pairs, String name) throws Exception {
        Path run = dir.resolve("run-" + name);
        double[] before;
        List<DpoData.Example> heldOut;
        try (LanguageModel base = LanguageModel.load(c.model())) {
            heldOut = heldOutPairs(base, c.model(), pairs, c);
            before = new double[] {preferenceAccuracy(base, heldOut), rewardAccuracyAndMargin(base, base, heldOut)[1]};
        }
        long t0 = System.nanoTime();
        DpoTraining.Result r = DpoTraining.run(c, run, false, true, new PrintWriter(new StringWriter(), true));
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] after;
        try (LanguageModel base = LanguageModel.load(c.model());
             LanguageModel trained = c.lora() == null ? LanguageModel.load(run.resolve("final")) : withAdapter(c.model(), run)) {
            after = rewardAccuracyAndMargin(trained, base, heldOut);
        }
        StringBuilder curve = new StringBuilder();
        for (JsonObject m : metrics(run)) {
            String metric = m.has("eval_rewards/accuracies") ? "eval_rewards/accuracies" : "eval_rewards/margins";
            if (m.has(metric)) {
                curve.append(String.format(Locale.ROOT, " %d:%.2f", m.get("step").getAsLong(), m.get(metric).getAsDouble()));
            }
        }
        System.out.printf(Locale.ROOT, "dpo learning test (%s): %d steps in %.1f s (%.2f s/step); held-out preference "
                        + "accuracy before %.3f, reward accuracy after %.3f; log-prob margin %.3f -> %.3f; eval accuracy (kto: eval reward margin) by step%s%n",
                name, r.steps(), seconds, r.secondsPerStep(), before[0], after[0], before[1], after[1], curve);
        return new double[] {before[0], after[0], before[1], after[1]};
    }

    private static LanguageModel withAdapter(Path model, Path run) throws Exception {
        LanguageModel m = LanguageModel.load(model);
        m.loadAdapters(run.resolve("final"));
        return m;
    }

    @Test
    void sigmoidLearnsThePreferenceWithFullFineTuning(@TempDir Path dir) throws Exception {
        Path model = RewardFixtures.model(dir);
        Path pairs = dir.resolve("pairs.jsonl");
        Files.writeString(pairs, DpoFixtures.pairs(400, 3, "big"));
        DpoTraining.Config c = config(model, pairs, DpoObjective.defaults(DpoLossType.SIGMOID), null, 1e-3, false, 4);
        double[] r = learn(dir, c, pairs, "sigmoid, full");
        assertThat(r[0]).isBetween(0.3, 0.7);
        assertThat(r[1]).isGreaterThanOrEqualTo(0.9);
        assertThat(r[3]).isGreaterThan(r[2] + 1);
        List<JsonObject> metrics = metrics(dir.resolve("run-sigmoid, full"));
        // step 1's metrics are measured before its update: policy = reference
        assertThat(metrics.get(0).get("rewards/chosen").getAsDouble()).isEqualTo(0.0);
        assertThat(metrics.get(0).get("rewards/rejected").getAsDouble()).isEqualTo(0.0);
        assertThat(metrics.get(0).get("loss").getAsDouble()).isEqualTo((double) (float) Math.log(2));
        assertThat(metrics.get(metrics.size() - 1).get("eval_rewards/accuracies").getAsDouble()).isGreaterThanOrEqualTo(0.9);
        assertThat(dir.resolve("run-sigmoid, full/final/model.safetensors")).exists();
    }

    @Test
    void ipoLearnsWithLoraAgainstPrecomputedReferenceLogProbs(@TempDir Path dir) throws Exception {
        Path model = RewardFixtures.model(dir);
        Path pairs = dir.resolve("pairs.jsonl");
        Files.writeString(pairs, DpoFixtures.pairs(400, 3, "big"));
        DpoTraining.Config one = config(model, pairs, DpoObjective.defaults(DpoLossType.IPO), LoraConfig.parse("r=8,alpha=16"),
                1e-2, true, 8);
        DpoTraining.Config c = new DpoTraining.Config(model, pairs, one.objective(), one.lora(), false, true, one.maxLength(),
                one.evalFraction(), one.batchSize(), 2, one.learningRate(), one.warmupRatio(), 0, 1, 1, one.seed(), 0, 8);
        double[] r = learn(dir, c, pairs, "ipo, lora");
        assertThat(r[0]).isBetween(0.3, 0.7);
        assertThat(r[1]).isGreaterThanOrEqualTo(0.9);
        assertThat(r[3]).isGreaterThan(r[2] + 1);
        assertThat(dir.resolve("run-ipo, lora/" + DpoTraining.REFERENCE_CACHE)).exists();
        assertThat(dir.resolve("run-ipo, lora/final/adapter_config.json")).exists();
        List<JsonObject> metrics = metrics(dir.resolve("run-ipo, lora"));
        // B = 0: adapters change nothing yet; the precomputed reference saw other batches (other padding), so
        // it agrees to float32 rounding rather than bit for bit
        assertThat(metrics.get(0).get("rewards/chosen").getAsDouble()).isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-6));
    }

    @Test
    void ktoLearnsFromUnpairedThumbs(@TempDir Path dir) throws Exception {
        Path model = RewardFixtures.model(dir);
        Path pairs = dir.resolve("pairs.jsonl");
        Files.writeString(pairs, DpoFixtures.pairs(400, 3, "big"));
        Path thumbs = dir.resolve("thumbs.jsonl");
        Files.writeString(thumbs, unpaired(Files.readString(pairs)));
        // 800 thumbs in batches of 16: 40 steps
        DpoTraining.Config c = config(model, thumbs, DpoObjective.defaults(DpoLossType.KTO), LoraConfig.parse("r=8,alpha=16"),
                1e-2, false, 8);
        // held out: the pairs of the prompts KTO's split held out (same prompts in the same order, same seed)
        double[] r = learn(dir, c, pairs, "kto, lora");
        assertThat(r[0]).isBetween(0.3, 0.7);
        assertThat(r[1]).isGreaterThanOrEqualTo(0.9);
        assertThat(r[3]).isGreaterThan(r[2] + 1);
        JsonObject last = metrics(dir.resolve("run-kto, lora")).get(metrics(dir.resolve("run-kto, lora")).size() - 1);
        assertThat(last.has("kl")).isTrue();
        assertThat(last.get("eval_rewards/chosen").getAsDouble()).isGreaterThan(last.get("eval_rewards/rejected").getAsDouble());
    }
}
