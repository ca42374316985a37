package org.jalign.cli;

import com.google.gson.JsonParser;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TinyCheckpoints;
import org.jalign.lm.TinyTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** `jalign sft` end to end on a tiny model: the completions become likely, the prompts stay unlearned. */
class SftCommandTest {
    private static final String[][] PAIRS = {
        {"the cat", "sat on the mat ."},
        {"a dog", "ran to the park !"},
        {"the big dog", "sat on a red mat ."},
        {"a red cat", "ran to the big park ,"},
    };

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private static Path model(Path dir) throws Exception {
        Path model = TinyCheckpoints.write(dir.resolve("model"),
                TinyTokenizer.llamaConfig(TinyTokenizer.BOS, List.of(TinyTokenizer.EOS), TinyTokenizer.PAD), 7);
        TinyTokenizer.write(model);
        Files.writeString(model.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<bos>\", \"eos_token\": \"<eos>\", \"pad_token\": \"<pad>\"}");
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 48; i++) {
            String[] p = PAIRS[i % PAIRS.length];
            data.append("{\"prompt\": \"").append(p[0]).append("\", \"completion\": \"").append(p[1]).append("\"}\n");
        }
        Files.writeString(dir.resolve("train.jsonl"), data);
        return model;
    }

    /** Σ log p(completion + EOS | BOS prompt), the quantity SFT maximises, for each pair. */
    private static double completionLogProb(LanguageModel model, String[] pair) {
        int[] prompt = model.tokenizer().orElseThrow().encode(pair[0]);
        int[] completion = model.tokenizer().orElseThrow().encode(pair[1]);
        int[] sequence = new int[1 + prompt.length + completion.length + 1];
        sequence[0] = TinyTokenizer.BOS;
        System.arraycopy(prompt, 0, sequence, 1, prompt.length);
        System.arraycopy(completion, 0, sequence, 1 + prompt.length, completion.length);
        sequence[sequence.length - 1] = TinyTokenizer.EOS;
        float[] logProbs = model.logProbs(List.of(sequence))[0];
        double sum = 0;
        for (int i = prompt.length; i < logProbs.length; i++) {   // logProbs[i] scores token i + 1
            sum += logProbs[i];
        }
        return sum;
    }

    private static double[] logProbsOf(Path modelDir) throws Exception {
        try (LanguageModel model = LanguageModel.load(modelDir)) {
            double[] values = new double[PAIRS.length];
            for (int p = 0; p < PAIRS.length; p++) {
                values[p] = completionLogProb(model, PAIRS[p]);
            }
            return values;
        }
    }

    @Test
    void fullFineTuningMakesTheCompletionsLikelyAndTheEvalLossFall(@TempDir Path dir) throws Exception {
        Path model = model(dir);
        double[] before = logProbsOf(model);
        Path runDir = dir.resolve("run");
        assertThat(run("sft", "--model", model.toString(), "--data", dir.resolve("train.jsonl").toString(),
                "--out", runDir.toString(), "--epochs", "6", "--batch-size", "8", "--lr", "1e-2",
                "--eval-fraction", "0.25", "--eval-every", "1", "--quiet")).as(err.toString()).isZero();
        double[] after = logProbsOf(runDir.resolve("final"));
        for (int p = 0; p < PAIRS.length; p++) {
            // a completion of 5 words + EOS starts near 6·ln 20 ≈ −18 nats; after SFT it is near certain
            assertThat(after[p]).as(PAIRS[p][0]).isGreaterThan(before[p] + 10).isGreaterThan(-1.5);
        }
        List<String> metrics = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        double firstEval = JsonParser.parseString(metrics.get(0)).getAsJsonObject().get("eval_loss").getAsDouble();
        double lastEval = JsonParser.parseString(metrics.get(metrics.size() - 1)).getAsJsonObject().get("eval_loss").getAsDouble();
        assertThat(lastEval).isLessThan(firstEval / 4);
        assertThat(runDir.resolve("final/tokenizer.json")).exists();
    }

    @Test
    void loraSftSavesAPeftAdapterAndAMergedModelThatAgree(@TempDir Path dir) throws Exception {
        Path model = model(dir);
        double[] before = logProbsOf(model);
        Path runDir = dir.resolve("run");
        assertThat(run("sft", "--model", model.toString(), "--data", dir.resolve("train.jsonl").toString(),
                "--out", runDir.toString(), "--epochs", "6", "--batch-size", "8", "--lr", "2e-2",
                "--lora", "r=8,alpha=16,targets=q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
                "--merge", "--quiet")).as(err.toString()).isZero();
        assertThat(runDir.resolve("final/adapter_config.json")).exists();
        double[] merged = logProbsOf(runDir.resolve("final/merged"));
        try (LanguageModel base = LanguageModel.load(model)) {
            base.loadAdapters(runDir.resolve("final"));
            for (int p = 0; p < PAIRS.length; p++) {
                double adapted = completionLogProb(base, PAIRS[p]);
                assertThat(adapted).isGreaterThan(before[p] + 5);
                assertThat(merged[p]).isCloseTo(adapted, org.assertj.core.api.Assertions.within(1e-3));
            }
        }
    }

    @Test
    void badDataIsNamedByLine(@TempDir Path dir) throws Exception {
        Path model = model(dir);
        List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("train.jsonl")));
        lines.set(2, "{\"prompt\": \"the cat\"}");
        Files.write(dir.resolve("bad.jsonl"), lines);
        assertThat(run("sft", "--model", model.toString(), "--data", dir.resolve("bad.jsonl").toString(),
                "--out", dir.resolve("run").toString(), "--quiet")).isEqualTo(1);
        assertThat(err.toString()).contains("bad.jsonl").contains("line 3");
        assertThat(dir.resolve("run")).doesNotExist();   // refused before a run directory is made
        assertThat(run("sft", "--model", model.toString(), "--data", dir.resolve("train.jsonl").toString(),
                "--out", dir.resolve("run2").toString(), "--merge")).isEqualTo(2);
        assertThat(err.toString()).contains("--merge needs --lora");
    }
}
