package org.jalign.cli;

import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.eval.EvalFixtures;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.TinyCheckpoints;
import org.jalign.lm.TinyTokenizer;
import org.jalign.lm.lora.LoraConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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

/** `jalign eval compare | curves | report` end to end on tiny models with a real tokenizer; resume; bad input. */
class EvalCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void oneThread() {
        ai.djl.engine.Engine.getInstance();
        JniUtils.setNumThreads(1);
    }

    @AfterAll
    static void restoreThreads() {
        JniUtils.setNumThreads(Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
    }

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private static final ModelConfig CONFIG = TinyTokenizer.llamaConfig(TinyTokenizer.BOS, List.of(TinyTokenizer.EOS),
            TinyTokenizer.PAD);

    private static Path model(Path dir, long seed) throws Exception {
        TinyCheckpoints.write(dir, CONFIG, seed);
        TinyTokenizer.write(dir);
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<bos>\", \"eos_token\": \"<eos>\", \"pad_token\": \"<pad>\"}");
        return dir;
    }

    /** before, after, a LoRA adapter on before (B = 0), a reward model, a toxicity classifier, prompts. */
    private static Path[] setUp(Path dir) throws Exception {
        Path before = model(dir.resolve("before").toAbsolutePath(), 7);
        Path after = model(dir.resolve("after"), 8);
        Path lora = dir.resolve("lora");
        try (LanguageModel m = LanguageModel.load(before)) {
            m.addAdapters(LoraConfig.parse("r=2,alpha=4,targets=q_proj,v_proj"), 1);
            Files.createDirectories(lora);
            m.saveAdapters(lora);
        }
        Path reward = EvalFixtures.writeClassifier(dir.resolve("rm"), CONFIG, 3,
                EvalFixtures.gaussian(CONFIG.hiddenSize(), 0.5, 4), List.of("LABEL_0"));
        Path toxicity = EvalFixtures.writeClassifier(dir.resolve("tox"), CONFIG, 5,
                EvalFixtures.gaussian(2 * CONFIG.hiddenSize(), 0.6, 6), List.of("non-toxic", "toxic"));
        Files.writeString(dir.resolve("prompts.jsonl"), """
                {"prompt": "the cat sat on", "id": 1}
                {"prompt": "a big red dog"}
                {"prompt_ids": [1, 10, 11]}
                {"prompt": "the park and"}
                """);
        return new Path[] {before, after, lora, reward, toxicity, dir.resolve("prompts.jsonl")};
    }

    private static List<String> compareArgs(Path[] in, Path outDir) {
        return new ArrayList<>(List.of("eval", "compare", "--policy", "before=" + in[0], "--policy", "after=" + in[1],
                "--policy", "lora=" + in[2], "--baseline", "before", "--prompts", in[5].toString(), "--reward-model",
                in[3].toString(), "--classifier", in[4].toString(), "--class", "toxic", "--samples-per-prompt", "2",
                "--max-new-tokens", "6", "--batch-size", "3", "--seed", "5", "--out", outDir.toString(), "--quiet"));
    }

    @Test
    void compareCurvesAndReportEndToEnd(@TempDir Path dir) throws Exception {
        Path[] in = setUp(dir);
        Path evalDir = dir.resolve("eval");
        assertThat(run(compareArgs(in, evalDir).toArray(String[]::new))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("eval compare: 8 completions per policy").contains("win rate by reward");
        JsonObject summary = JsonParser.parseString(Files.readString(evalDir.resolve("summary.json"))).getAsJsonObject();
        assertThat(summary.get("baseline").getAsString()).isEqualTo("before");
        assertThat(summary.getAsJsonArray("scorers").toString()).isEqualTo("[\"reward\",\"p(toxic)\"]");
        assertThat(summary.getAsJsonArray("policies")).hasSize(3);
        JsonObject before = summary.getAsJsonArray("policies").get(0).getAsJsonObject();
        JsonObject after = summary.getAsJsonArray("policies").get(1).getAsJsonObject();
        JsonObject lora = summary.getAsJsonArray("policies").get(2).getAsJsonObject();
        // the reference defaults to the baseline: its KL is exactly 0; the untrained adapter (B = 0) is the base
        assertThat(before.getAsJsonObject("kl_k1").get("mean").getAsDouble()).isEqualTo(0.0);
        assertThat(lora.getAsJsonObject("kl_k1").get("mean").getAsDouble()).isCloseTo(0.0, within(1e-5));
        assertThat(after.getAsJsonObject("kl_k1").get("mean").getAsDouble()).isPositive();
        assertThat(after.getAsJsonObject("scores").getAsJsonObject("p(toxic)").getAsJsonObject("flagged").get("n").getAsInt())
                .isEqualTo(8);
        assertThat(after.getAsJsonObject("win_rate").keySet()).containsExactly("reward", "p(toxic)");
        assertThat(before.getAsJsonObject("win_rate").keySet()).isEmpty();
        List<String> samples = Files.readAllLines(evalDir.resolve("samples.jsonl"));
        assertThat(samples).hasSize(8);
        JsonObject first = JsonParser.parseString(samples.get(0)).getAsJsonObject();
        assertThat(first.get("prompt").getAsString()).isEqualTo("the cat sat on");
        assertThat(first.getAsJsonObject("completions").keySet()).containsExactly("before", "after", "lora");
        JsonObject manifest = JsonParser.parseString(Files.readString(evalDir.resolve("manifest.json"))).getAsJsonObject();
        assertThat(manifest.get("command").getAsString()).isEqualTo("eval compare");
        assertThat(manifest.getAsJsonObject("inputs").keySet()).contains("prompts", "policy_before", "policy_lora",
                "policy_lora_base", "reference", "reward_model", "classifier");

        // resume: the rollouts are read back, the summary is the same
        String original = Files.readString(evalDir.resolve("summary.json"));
        Files.delete(evalDir.resolve("summary.json"));
        List<String> resume = compareArgs(in, evalDir);
        resume.remove("--quiet");
        resume.add("--resume");
        assertThat(run(resume.toArray(String[]::new))).as(err.toString()).isZero();
        assertThat(err.toString()).contains("reusing the saved rollout of after");
        assertThat(Files.readString(evalDir.resolve("summary.json"))).isEqualTo(original);

        // curves of a training run, then the report with them
        Path training = dir.resolve("train");
        Files.createDirectories(training);
        Files.writeString(training.resolve("manifest.json"), "{\"command\": \"ppo\", \"seed\": 3}");
        Files.writeString(training.resolve("metrics.jsonl"), "{\"step\": 1, \"reward_mean\": 0.5, \"kl\": 0}\n"
                + "{\"step\": 2, \"reward_mean\": 0.9, \"kl\": 0.1}\n");
        Path svg = dir.resolve("curves.svg");
        assertThat(run("eval", "curves", "--run", training.toString(), "--metric", "kl", "--out", svg.toString()))
                .as(err.toString()).isZero();
        assertThat(Files.readString(svg)).startsWith("<svg").contains(">kl<").doesNotContain(">reward_mean<");
        Path html = dir.resolve("report/report.html");
        assertThat(run("eval", "report", "--eval", evalDir.toString(), "--run", training.toString(), "--out", html.toString()))
                .as(err.toString()).isZero();
        assertThat(Files.readString(html)).contains("Before vs after").contains("p(toxic) flagged").contains("<svg");
        assertThat(dir.resolve("report/report.md")).exists();
    }

    @Test
    void theLibraryRunTakesExtraScorersAndJudges(@TempDir Path dir) throws Exception {
        Path[] in = setUp(dir);
        org.jalign.eval.Scorer tokens = new org.jalign.eval.Scorer("tokens", (prompts, completions) -> {
            float[] n = new float[completions.size()];
            for (int i = 0; i < n.length; i++) {
                n[i] = completions.get(i).length;
            }
            return n;
        }, org.jalign.eval.Direction.HIGHER_IS_BETTER, Double.NaN);
        org.jalign.eval.PolicyEvaluation.Judge alwaysTie = new org.jalign.eval.PolicyEvaluation.Judge("tie",
                pairs -> pairs.stream().map(p -> org.jalign.eval.Outcome.TIE).toList());
        org.jalign.eval.EvaluationConfig config = new org.jalign.eval.EvaluationConfig(List.of(
                new org.jalign.eval.EvaluationConfig.PolicySource("before", in[0]),
                new org.jalign.eval.EvaluationConfig.PolicySource("after", in[1])), "before", null, in[5], null, null,
                org.jalign.eval.PromptFormat.AUTO, new org.jalign.eval.SamplingSettings(2, 5, 1.0, 3, 4));
        org.jalign.eval.EvaluationResult r = org.jalign.eval.PolicyEvaluation.run(config, List.of(tokens), List.of(alwaysTie),
                dir.resolve("lib"), false, true, new PrintWriter(err, true));
        assertThat(r.scorers()).containsExactly("tokens");
        // the rule's mean is the mean completion length counted from samples.jsonl (EOS included, as the rule counts)
        double total = 0;
        List<String> lines = Files.readAllLines(dir.resolve("lib/samples.jsonl"));
        for (String line : lines) {
            total += JsonParser.parseString(line).getAsJsonObject().getAsJsonObject("completions").getAsJsonObject("after")
                    .getAsJsonArray("completion_ids").size();
        }
        assertThat(r.policy("after").scores().get(0).score().mean()).isCloseTo(total / lines.size(), within(1e-12));
        assertThat(r.policy("after").winRates()).extracting(w -> w.judge()).containsExactly("tokens", "tie");
        assertThat(r.policy("after").winRates().get(1).winRate().rate()).isEqualTo(0.5);
        String manifest = Files.readString(dir.resolve("lib/manifest.json"));
        assertThat(manifest).contains("\"extraScorers\": [\n      \"tokens\"\n    ]").contains("\"judges\": [\n      \"tie\"");
    }

    @Test
    void badInputsAreNamed(@TempDir Path dir) throws Exception {
        Path[] in = setUp(dir);
        Files.writeString(in[5], "{\"prompt\": \"the cat\"}\n{\"prompt\": 5}\n");
        assertThat(run(compareArgs(in, dir.resolve("e1")).toArray(String[]::new))).isEqualTo(1);
        assertThat(err.toString()).contains("prompts.jsonl line 2").contains("\"prompt\"");
        assertThat(dir.resolve("e1")).doesNotExist();   // checked before any run directory is made

        err.getBuffer().setLength(0);
        List<String> noClass = compareArgs(in, dir.resolve("e2"));
        int at = noClass.indexOf("--class");
        noClass.remove(at + 1);
        noClass.remove(at);
        assertThat(run(noClass.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("--classifier needs --class LABEL");

        err.getBuffer().setLength(0);
        Files.writeString(in[5], "{\"prompt\": \"the cat\"}\n");
        List<String> badBaseline = compareArgs(in, dir.resolve("e3"));
        badBaseline.set(badBaseline.indexOf("--baseline") + 1, "sft");
        assertThat(run(badBaseline.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("--baseline \"sft\" is not one of the policies");

        err.getBuffer().setLength(0);
        assertThat(run("eval", "curves", "--run", dir.resolve("nothing").toString(), "--out", dir.resolve("c.svg").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("metrics file not found");
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\": 1, \"loss\": 1}\n{\"step\": 2, \"loss\": true}\n");
        err.getBuffer().setLength(0);
        assertThat(run("eval", "curves", "--run", dir.resolve("metrics.jsonl").toString(), "--metric", "loss", "--out",
                dir.resolve("c.svg").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("metrics.jsonl line 2: field \"loss\" is true; expected a number");
        assertThat(dir.resolve("c.svg")).doesNotExist();
    }
}
