package org.jalign.cli;

import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.safetensors.SafetensorsFile;
import org.jalign.reward.RewardFixtures;
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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** `jalign ppo` end to end against a reward model trained by `reward train`; a killed run resumes exactly; bad input. */
class PpoCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** One intra-op thread for a hidden-32 model on a shared machine (see PpoTrainerTest). */
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

    /** The policy, a reward model trained on "red is preferred" pairs, and 12 prompts. */
    private Path[] setUp(Path dir) throws Exception {
        Path policy = RewardFixtures.model(dir);
        Files.writeString(dir.resolve("pairs.jsonl"), RewardFixtures.pairs(160, 3));
        assertThat(run("reward", "train", "--model", policy.toString(), "--data", dir.resolve("pairs.jsonl").toString(),
                "--out", dir.resolve("rm").toString(), "--batch-size", "16", "--max-length", "64", "--lr", "1e-3",
                "--eval-fraction", "0", "--quiet")).as(err.toString()).isZero();
        StringBuilder prompts = new StringBuilder();
        String[] words = {"the cat", "a dog", "the red mat", "a big dog ran", "the park", "cat and dog"};
        for (int i = 0; i < 12; i++) {
            prompts.append(i % 3 == 2 ? "{\"prompt_ids\": [1, 5, 6]}" : "{\"prompt\": \"" + words[i % words.length] + "\"}")
                    .append('\n');
        }
        Files.writeString(dir.resolve("prompts.jsonl"), prompts);
        return new Path[] {policy, dir.resolve("rm/final"), dir.resolve("prompts.jsonl")};
    }

    private static String[] ppoArgs(Path[] in, Path runDir, String... more) {
        List<String> args = new ArrayList<>(List.of("ppo", "--policy", in[0].toString(), "--prompts", in[2].toString(),
                "--reward-model", in[1].toString(), "--out", runDir.toString(), "--batch-size", "4",
                "--num-return-sequences", "2", "--mini-batch-size", "4", "--max-new-tokens", "6", "--temperature", "1.0",
                "--init-kl-coef", "0.05", "--quiet"));
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

    @Test
    void loraAndMergedRunsWriteThePolicyTheValueHeadAndTheCurves(@TempDir Path dir) throws Exception {
        Path[] in = setUp(dir);
        Path runDir = dir.resolve("ppo");
        assertThat(run(ppoArgs(in, runDir, "--lora", "r=4,alpha=8,targets=q_proj,v_proj", "--lr", "5e-3", "--steps", "6")))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("ppo: 6 steps on 12 prompts").contains("last reward");
        assertThat(runDir.resolve("final/adapter_config.json")).exists();
        assertThat(runDir.resolve("final/adapter_model.safetensors")).exists();
        try (SafetensorsFile head = SafetensorsFile.open(runDir.resolve("final/value_head.safetensors"))) {
            assertThat(head.info("v_head.weight").shape()).containsExactly(1, 32);
        }
        List<JsonObject> metrics = lines(runDir.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(6);
        assertThat(metrics.get(0).get("kl").getAsDouble()).isZero();   // no update yet: π = π_ref exactly
        for (String key : List.of("reward_mean", "reward_std", "kl", "kl_k3", "beta", "entropy", "clip_fraction",
                "approx_kl", "value_loss", "explained_variance", "response_length", "tokens_per_s")) {
            assertThat(metrics.get(5).has(key)).as(key).isTrue();
        }
        assertThat(Files.readString(runDir.resolve("manifest.json"))).contains("\"command\": \"ppo\"");

        Path merged = dir.resolve("merged");
        assertThat(run(ppoArgs(in, merged, "--lora", "r=4,alpha=8,targets=q_proj,v_proj", "--merge", "--steps", "2")))
                .as(err.toString()).isZero();
        assertThat(merged.resolve("final/value_head.safetensors")).exists();
        try (LanguageModel model = LanguageModel.load(merged.resolve("final"))) {
            assertThat(model.tokenizer()).isPresent();
        }
        // full fine-tuning: a frozen copy is the reference; final/ is the whole model
        Path full = dir.resolve("full");
        assertThat(run(ppoArgs(in, full, "--steps", "2", "--lr", "1e-4"))).as(err.toString()).isZero();
        assertThat(full.resolve("final/model.safetensors")).exists();
        assertThat(lines(full.resolve("metrics.jsonl")).get(0).get("kl").getAsDouble()).isZero();
    }

    @Test
    void aRunKilledWithSigkillResumesToTheSameWeights(@TempDir Path dir) throws Exception {
        Path[] in = setUp(dir);
        String[] more = {"--lora", "r=4,alpha=8,targets=q_proj,v_proj", "--lr", "5e-3", "--steps", "10",
                "--checkpoint-every", "2", "--target-kl", "1"};
        Path straight = dir.resolve("straight");
        assertThat(run(ppoArgs(in, straight, more))).as(err.toString()).isZero();

        Path killed = dir.resolve("killed");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", System.getProperty("java.class.path"), "org.jalign.cli.Main"));
        command.addAll(List.of(ppoArgs(in, killed, more)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        Path checkpoint = killed.resolve("checkpoints/step-0000000004");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!Files.exists(checkpoint) && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(process.isAlive()).as("the child finished before it could be killed: "
                + Files.readString(dir.resolve("child.log"))).isTrue();
        process.destroyForcibly().waitFor();   // SIGKILL: no shutdown hooks, no flushing
        assertThat(killed.resolve("final")).doesNotExist();

        assertThat(run(append(ppoArgs(in, killed, more), "--resume"))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("resumed at step");
        for (String file : List.of("final/adapter_model.safetensors", "final/value_head.safetensors")) {
            try (SafetensorsFile a = SafetensorsFile.open(straight.resolve(file));
                 SafetensorsFile b = SafetensorsFile.open(killed.resolve(file))) {
                assertThat(b.names()).containsExactlyInAnyOrderElementsOf(a.names());
                for (String name : a.names()) {
                    assertThat(b.readFloats(name)).as(file + " " + name).containsExactly(a.readFloats(name));
                }
            }
        }
        List<JsonObject> a = lines(straight.resolve("metrics.jsonl"));
        List<JsonObject> b = lines(killed.resolve("metrics.jsonl"));
        assertThat(b).hasSize(10).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).get("step").getAsLong()).isEqualTo(i + 1);
            for (String key : List.of("reward_mean", "kl", "beta")) {
                assertThat(b.get(i).get(key).getAsDouble()).as(key + " at step " + (i + 1))
                        .isEqualTo(a.get(i).get(key).getAsDouble());
            }
        }
    }

    private static String[] append(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void badInputsGiveClearErrors(@TempDir Path dir) throws Exception {
        Path policy = RewardFixtures.model(dir);
        Path[] in = {policy, policy, dir.resolve("prompts.jsonl")};
        Files.writeString(in[2], "{\"prompt\": \"the cat\"}\n{\"prompt_ids\": [1, 5], \"prompt\": \"a\"}\n");
        assertThat(run(ppoArgs(in, dir.resolve("r1")))).isEqualTo(1);
        assertThat(err.toString()).contains("prompts.jsonl line 2").contains("both \"prompt\" and \"prompt_ids\"");
        assertThat(dir.resolve("r1")).doesNotExist();

        Files.writeString(in[2], "{\"prompt\": \"the cat\"}\n{\"prompt_ids\": [1, 500]}\n");
        assertThat(run(ppoArgs(in, dir.resolve("r2")))).isEqualTo(1);
        assertThat(err.toString()).contains("prompts.jsonl line 2").contains("500, outside the vocabulary");

        Files.writeString(in[2], "{\"prompt\": \"the cat\"}\n");
        assertThat(run("ppo", "--policy", policy.toString(), "--prompts", in[2].toString(), "--out",
                dir.resolve("r3").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("give exactly one reward");
        assertThat(run("ppo", "--policy", policy.toString(), "--prompts", in[2].toString(), "--out",
                dir.resolve("r3").toString(), "--reward-classifier", policy.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--reward-classifier needs --label");
        assertThat(run(ppoArgs(in, dir.resolve("r4"), "--cliprange", "1.5"))).isEqualTo(2);
        assertThat(err.toString()).contains("--cliprange must be in (0, 1), got 1.5");
        assertThat(run(ppoArgs(in, dir.resolve("r5"), "--ppo-epochs", "0"))).isEqualTo(2);
        assertThat(err.toString()).contains("--mini-batch-size and --ppo-epochs must be >= 1");
        assertThat(run(ppoArgs(in, dir.resolve("r6"), "--merge"))).isEqualTo(2);
        assertThat(err.toString()).contains("--merge needs --lora");
        // a causal LM is not a reward model
        assertThat(run(ppoArgs(in, dir.resolve("r7")))).isEqualTo(1);
        assertThat(err.toString()).contains("expected a sequence classifier");
        assertThat(dir.resolve("r7")).doesNotExist();
        assertThat(run(ppoArgs(new Path[] {policy, dir.resolve("nothing"), in[2]}, dir.resolve("r8")))).isEqualTo(1);
        assertThat(err.toString()).contains("model directory not found");
    }
}
