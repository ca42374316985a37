package org.jalign.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.lm.GenerationConfig;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TinyTokenizer;
import org.jalign.lm.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** `jalign pretrain` end to end: a toy grammar is learned, and a run killed with -9 resumes exactly. */
class PretrainCommandTest {
    /** Words 4..19 of the tiny vocabulary; each has two equally likely successors. */
    private static final int FIRST = 4;
    private static final int WORDS = TinyTokenizer.VOCAB_SIZE - FIRST;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    /** Tokenizer files, a config and a corpus of Markov sentences of 12 words. */
    private static Path setUp(Path dir) throws Exception {
        Path tokenizer = TinyTokenizer.write(dir.resolve("tokenizer"));
        Files.writeString(tokenizer.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<bos>\", \"eos_token\": \"<eos>\", \"pad_token\": \"<pad>\"}");
        Files.writeString(dir.resolve("tiny-llama.json"), """
                {"model_type": "llama", "vocab_size": 20, "hidden_size": 32, "intermediate_size": 64,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "tie_word_embeddings": true}""");
        SplittableRandom random = new SplittableRandom(3);
        StringBuilder corpus = new StringBuilder();
        for (int d = 0; d < 400; d++) {
            int w = random.nextInt(WORDS);
            List<String> words = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                words.add(TinyTokenizer.WORDS.get(FIRST + w));
                w = random.nextBoolean() ? (3 * w + 1) % WORDS : (5 * w + 2) % WORDS;
            }
            corpus.append(String.join(" ", words)).append("\n\n");
        }
        Files.writeString(dir.resolve("corpus.txt"), corpus, StandardCharsets.UTF_8);
        return dir;
    }

    private static String[] args(Path dir, Path out, int steps, String... extra) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--config", dir.resolve("tiny-llama.json").toString(),
                "--tokenizer", dir.resolve("tokenizer").toString(), "--data", dir.resolve("corpus.txt").toString(),
                "--out", out.toString(), "--steps", String.valueOf(steps), "--batch-size", "16", "--seq-len", "28",
                "--lr", "5e-3", "--warmup", "10", "--weight-decay", "0", "--seed", "1", "--quiet"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void learnsAToyGrammarAndWritesARunDirectory(@TempDir Path dir) throws Exception {
        setUp(dir);
        Path runDir = dir.resolve("run");
        assertThat(run(args(dir, runDir, 250, "--checkpoint-every", "100"))).as(err.toString()).isZero();
        // per 14-token document (BOS, 12 words, EOS): the first word costs ln 16, the other 11 ln 2 each,
        // BOS and EOS are predictable: (ln 16 + 11 ln 2) / 14 = 0.743 nats per token at best
        double floor = (Math.log(16) + 11 * Math.log(2)) / 14;
        List<String> metrics = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(250);
        JsonObject last = JsonParser.parseString(metrics.get(249)).getAsJsonObject();
        double evalLoss = last.get("eval_loss").getAsDouble();
        assertThat(evalLoss).isBetween(floor - 0.05, floor + 0.25);
        double firstLoss = JsonParser.parseString(metrics.get(0)).getAsJsonObject().get("loss").getAsDouble();
        assertThat(firstLoss).isGreaterThan(Math.log(20) - 0.3);
        JsonObject manifest = JsonParser.parseString(Files.readString(runDir.resolve("manifest.json"))).getAsJsonObject();
        assertThat(manifest.getAsJsonObject("inputs").getAsJsonObject("data").get("sha256").getAsString()).hasSize(64);
        assertThat(manifest.get("seed").getAsLong()).isEqualTo(1);
        // final/ is a model directory the rest of jalign loads, tokenizer included
        try (LanguageModel model = LanguageModel.load(runDir.resolve("final"))) {
            assertThat(model.specialTokens().eosIds()).containsExactly(TinyTokenizer.EOS);
            int[] prompt = model.tokenizer().orElseThrow().encode("the");
            int[] completion = model.generate(List.of(new int[] {TinyTokenizer.BOS, prompt[0]}),
                    GenerationConfig.greedy(11), 0).get(0).completionIds();
            // greedy continuation follows the grammar: each word is one of the two successors of the last
            int previous = prompt[0] - FIRST;
            for (int id : completion) {
                if (id == TinyTokenizer.EOS) {
                    break;
                }
                int w = id - FIRST;
                assertThat(w).isIn((3 * previous + 1) % WORDS, (5 * previous + 2) % WORDS);
                previous = w;
            }
        }
    }

    @Test
    void aRunKilledWithSigkillResumesToTheSameWeights(@TempDir Path dir) throws Exception {
        setUp(dir);
        int steps = 60;
        Path straight = dir.resolve("straight");
        assertThat(run(args(dir, straight, steps, "--checkpoint-every", "10"))).as(err.toString()).isZero();

        Path killed = dir.resolve("killed");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2",
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", System.getProperty("java.class.path"), "org.jalign.cli.Main"));
        command.addAll(List.of(args(dir, killed, steps, "--checkpoint-every", "10")));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        Path checkpoint = killed.resolve("checkpoints/step-0000000020");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(checkpoint) && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(process.isAlive()).as("the child finished before it could be killed: "
                + Files.readString(dir.resolve("child.log"))).isTrue();
        process.destroyForcibly().waitFor(); // SIGKILL: no shutdown hooks, no flushing
        assertThat(Files.exists(killed.resolve("final"))).isFalse();

        assertThat(run(args(dir, killed, steps, "--checkpoint-every", "10", "--resume"))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("resumed at");
        try (SafetensorsFile a = SafetensorsFile.open(straight.resolve("final/model.safetensors"));
             SafetensorsFile b = SafetensorsFile.open(killed.resolve("final/model.safetensors"))) {
            assertThat(b.names()).containsExactlyElementsOf(a.names());
            for (String name : a.names()) {
                assertThat(b.readFloats(name)).as(name).containsExactly(a.readFloats(name));
            }
        }
        List<String> metrics = Files.readAllLines(killed.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(steps);
        for (int i = 0; i < steps; i++) {
            assertThat(JsonParser.parseString(metrics.get(i)).getAsJsonObject().get("step").getAsLong()).isEqualTo(i + 1);
        }
    }

    @Test
    void badInputsAreNamed(@TempDir Path dir) throws Exception {
        setUp(dir);
        assertThat(run(args(dir, dir.resolve("r1"), 0))).isEqualTo(2);
        assertThat(err.toString()).contains("--steps must be >= 1");
        Files.writeString(dir.resolve("tiny-llama.json"), "{\"model_type\": \"llama\", \"vocab_size\": 10}");
        assertThat(run(args(dir, dir.resolve("r2"), 5))).isEqualTo(1);
        assertThat(err.toString()).contains("tiny-llama.json").contains("missing field hidden_size");
        setUp(dir);
        Files.writeString(dir.resolve("tiny-llama.json"), Files.readString(dir.resolve("tiny-llama.json"))
                .replace("\"vocab_size\": 20", "\"vocab_size\": 12"));
        assertThat(run(args(dir, dir.resolve("r3"), 5))).isEqualTo(1);
        assertThat(err.toString()).contains("vocab_size 12 is smaller than the tokenizer's 20 ids");
        assertThat(dir.resolve("r3")).doesNotExist();   // refused before a run directory is made
        setUp(dir);
        assertThat(run(args(dir, dir.resolve("r4"), 5))).isZero();
        assertThat(run(args(dir, dir.resolve("r4"), 5))).isEqualTo(1);
        assertThat(err.toString()).contains("exists and is not empty; pass --resume");
    }
}
