package org.jalign.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.lm.TinyTokenizer;
import org.jalign.lm.safetensors.SafetensorsFile;
import org.jalign.reward.RewardFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** `jalign reward train` and `reward score` end to end on a tiny model; a killed run resumes exactly. */
class RewardCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private static Path setUp(Path dir, int pairs) throws Exception {
        Files.writeString(dir.resolve("pairs.jsonl"), RewardFixtures.pairs(pairs, 3));
        return RewardFixtures.model(dir);
    }

    private static String[] trainArgs(Path model, Path data, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("reward", "train", "--model", model.toString(), "--data", data.toString(),
                "--out", out.toString(), "--batch-size", "16", "--max-length", "64",
                "--eval-fraction", "0.2", "--quiet"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static List<JsonObject> lines(Path file) throws Exception {
        List<JsonObject> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(JsonParser.parseString(line).getAsJsonObject());
        }
        return lines;
    }

    private static int id(String word) {
        return TinyTokenizer.id(word);
    }

    @Test
    void trainWritesAHuggingFaceClassifierAndScoreReadsIt(@TempDir Path dir) throws Exception {
        Path model = setUp(dir, 400);
        Path runDir = dir.resolve("rm");
        assertThat(run(trainArgs(model, dir.resolve("pairs.jsonl"), runDir, "--lr", "1e-3"))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("reward: 20 steps on").contains("eval accuracy");
        Path finalDir = runDir.resolve("final");
        JsonObject config = JsonParser.parseString(Files.readString(finalDir.resolve("config.json"))).getAsJsonObject();
        assertThat(config.getAsJsonArray("architectures").get(0).getAsString()).isEqualTo("LlamaForSequenceClassification");
        assertThat(config.get("num_labels").getAsInt()).isEqualTo(1);
        assertThat(config.getAsJsonObject("id2label").get("0").getAsString()).isEqualTo("reward");
        try (SafetensorsFile weights = SafetensorsFile.open(finalDir.resolve("model.safetensors"))) {
            assertThat(weights.info("score.weight").shape()).containsExactly(1, 32);
            assertThat(weights.contains("lm_head.weight")).isFalse();
            assertThat(weights.contains("model.embed_tokens.weight")).isTrue();
        }
        assertThat(finalDir.resolve("tokenizer.json")).exists();
        JsonObject settings = JsonParser.parseString(Files.readString(finalDir.resolve("reward_config.json"))).getAsJsonObject();
        double gain = settings.get("gain").getAsDouble();
        double bias = settings.get("bias").getAsDouble();
        assertThat(settings.get("max_length").getAsInt()).isEqualTo(64);

        // score: text and the same tokens as ids; "red" is preferred
        Files.writeString(dir.resolve("in.jsonl"), """
                {"prompt": "the cat", "completion": "sat on a red mat", "id": 1}
                {"prompt": "the cat", "completion": "sat on a big mat", "id": 2}
                {"prompt_ids": [1, %d, %d], "completion_ids": [%d, %d, %d, %d, %d, 2]}
                """.formatted(id("the"), id("cat"), id("sat"), id("on"), id("a"), id("red"), id("mat")));
        assertThat(run("reward", "score", "--model", finalDir.toString(), "--input", dir.resolve("in.jsonl").toString(),
                "--output", dir.resolve("scored.jsonl").toString(), "--quiet")).as(err.toString()).isZero();
        List<JsonObject> scored = lines(dir.resolve("scored.jsonl"));
        assertThat(scored).hasSize(3);
        assertThat(scored.get(0).get("id").getAsInt()).isEqualTo(1);
        double red = scored.get(0).get("reward").getAsDouble();
        assertThat(red).isGreaterThan(scored.get(1).get("reward").getAsDouble());
        assertThat(scored.get(2).get("reward").getAsDouble()).isCloseTo(red, within(1e-5));
        // --raw undoes the normalisation; the classifier path (--label 0) gives the same raw logit
        assertThat(run("reward", "score", "--model", finalDir.toString(), "--input", dir.resolve("in.jsonl").toString(),
                "--output", dir.resolve("raw.jsonl").toString(), "--raw", "--quiet")).as(err.toString()).isZero();
        double raw = lines(dir.resolve("raw.jsonl")).get(0).get("reward").getAsDouble();
        assertThat(red).isCloseTo(gain * raw + bias, within(1e-4));
        assertThat(run("reward", "score", "--model", finalDir.toString(), "--input", dir.resolve("in.jsonl").toString(),
                "--output", dir.resolve("logit.jsonl").toString(), "--label", "reward", "--quiet")).as(err.toString()).isZero();
        assertThat(lines(dir.resolve("logit.jsonl")).get(0).get("reward").getAsDouble()).isCloseTo(raw, within(1e-5));
    }

    @Test
    void loraTrainingSavesTheAdapterAndAMergedClassifierThatAgree(@TempDir Path dir) throws Exception {
        Path model = setUp(dir, 160);
        Path runDir = dir.resolve("rm");
        assertThat(run(trainArgs(model, dir.resolve("pairs.jsonl"), runDir, "--lora", "r=4,alpha=8,targets=q_proj,v_proj",
                "--merge", "--lr", "5e-3", "--epochs", "2"))).as(err.toString()).isZero();
        assertThat(runDir.resolve("final/adapter_config.json")).exists();
        assertThat(runDir.resolve("final/score.safetensors")).exists();
        Files.writeString(dir.resolve("in.jsonl"), """
                {"prompt": "a dog", "completion": "ran to the red park"}
                {"prompt": "a dog", "completion": "ran to the big park"}
                """);
        for (String which : List.of("final", "final/merged")) {
            assertThat(run("reward", "score", "--model", runDir.resolve(which).toString(), "--input",
                    dir.resolve("in.jsonl").toString(), "--output", dir.resolve(which.replace('/', '-') + ".jsonl").toString(),
                    "--quiet")).as(err.toString()).isZero();
        }
        List<JsonObject> adapter = lines(dir.resolve("final.jsonl"));
        List<JsonObject> merged = lines(dir.resolve("final-merged.jsonl"));
        for (int i = 0; i < 2; i++) {
            assertThat(merged.get(i).get("reward").getAsDouble())
                    .isCloseTo(adapter.get(i).get("reward").getAsDouble(), within(1e-3));
        }
    }

    @Test
    void aRunKilledWithSigkillResumesToTheSameWeights(@TempDir Path dir) throws Exception {
        Path model = setUp(dir, 160);
        Path data = dir.resolve("pairs.jsonl");
        String[] more = {"--epochs", "4", "--checkpoint-every", "4", "--lr", "1e-3"};
        Path straight = dir.resolve("straight");
        assertThat(run(trainArgs(model, data, straight, more))).as(err.toString()).isZero();

        Path killed = dir.resolve("killed");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2",
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", System.getProperty("java.class.path"), "org.jalign.cli.Main"));
        command.addAll(List.of(trainArgs(model, data, killed, more)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        Path checkpoint = killed.resolve("checkpoints/step-0000000008");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(checkpoint) && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(process.isAlive()).as("the child finished before it could be killed: "
                + Files.readString(dir.resolve("child.log"))).isTrue();
        process.destroyForcibly().waitFor();   // SIGKILL: no shutdown hooks, no flushing
        assertThat(killed.resolve("final")).doesNotExist();

        assertThat(run(trainArgs(model, data, killed, append(more, "--resume")))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("resumed at step");
        try (SafetensorsFile a = SafetensorsFile.open(straight.resolve("final/model.safetensors"));
             SafetensorsFile b = SafetensorsFile.open(killed.resolve("final/model.safetensors"))) {
            assertThat(b.names()).containsExactlyInAnyOrderElementsOf(a.names());
            for (String name : a.names()) {
                assertThat(b.readFloats(name)).as(name).containsExactly(a.readFloats(name));
            }
        }
        assertThat(Files.readString(killed.resolve("final/reward_config.json")).replace(killed.toString(), ""))
                .isEqualTo(Files.readString(straight.resolve("final/reward_config.json")).replace(straight.toString(), ""));
        List<JsonObject> metrics = lines(killed.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(lines(straight.resolve("metrics.jsonl")).size()).hasSizeGreaterThan(8);
        for (int i = 0; i < metrics.size(); i++) {
            assertThat(metrics.get(i).get("step").getAsLong()).isEqualTo(i + 1);
        }
    }

    private static String[] append(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void badInputsAreNamedByFileLineAndField(@TempDir Path dir) throws Exception {
        Path model = setUp(dir, 20);
        List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("pairs.jsonl")));
        lines.set(2, "{\"prompt\": \"the cat\", \"chosen\": \"\", \"rejected\": \"sat\"}");
        Files.write(dir.resolve("bad.jsonl"), lines);
        assertThat(run(trainArgs(model, dir.resolve("bad.jsonl"), dir.resolve("r1")))).isEqualTo(1);
        assertThat(err.toString()).contains("bad.jsonl line 3: field \"chosen\" is empty");
        assertThat(dir.resolve("r1")).doesNotExist();   // refused before a run directory is made

        Files.writeString(dir.resolve("ranked.jsonl"), """
                {"prompt": "a", "completions": ["the cat", "a dog"], "ranks": [1, 2]}
                {"prompt": "b", "completions": ["the cat", "a dog", "red"], "ranks": [1, 2]}
                """);
        assertThat(run(trainArgs(model, dir.resolve("ranked.jsonl"), dir.resolve("r2"), "--format", "ranked"))).isEqualTo(1);
        assertThat(err.toString()).contains("ranked.jsonl line 2: field \"ranks\" has 2 elements but \"completions\" has 3");

        assertThat(run(trainArgs(model, dir.resolve("pairs.jsonl"), dir.resolve("r3"), "--merge"))).isEqualTo(2);
        assertThat(err.toString()).contains("--merge needs --lora");
        assertThat(run(trainArgs(model, dir.resolve("pairs.jsonl"), dir.resolve("r4"), "--format", "trl"))).isEqualTo(2);
        assertThat(err.toString()).contains("--format must be pairs or ranked");

        Files.writeString(dir.resolve("in.jsonl"), "{\"prompt\": \"a\", \"completion\": \"b\"}\n{\"prompt_ids\": [1, 2]}\n");
        assertThat(run("reward", "score", "--model", model.toString(), "--input", dir.resolve("in.jsonl").toString(),
                "--output", dir.resolve("o.jsonl").toString(), "--quiet")).isEqualTo(1);
        assertThat(err.toString()).contains("in.jsonl line 2: field \"completion_ids\" is missing");
        assertThat(dir.resolve("o.jsonl")).doesNotExist();
        // a causal LM is not something to score with
        Files.writeString(dir.resolve("in.jsonl"), "{\"prompt\": \"a\", \"completion\": \"b\"}\n");
        assertThat(run("reward", "score", "--model", model.toString(), "--input", dir.resolve("in.jsonl").toString(),
                "--output", dir.resolve("o.jsonl").toString(), "--quiet")).isEqualTo(1);
        assertThat(err.toString()).contains("expected a sequence classifier");
    }
}
