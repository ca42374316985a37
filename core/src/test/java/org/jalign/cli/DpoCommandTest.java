package org.jalign.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
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

/** `jalign dpo` end to end on a tiny model; a killed run resumes to the same weights; bad input is named. */
class DpoCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private static String[] dpoArgs(Path model, Path data, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("dpo", "--model", model.toString(), "--data", data.toString(),
                "--out", out.toString(), "--batch-size", "16", "--max-length", "64", "--eval-fraction", "0.2", "--quiet"));
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
    void loraDpoWritesTheAdapterTheMergedModelAndTrlMetrics(@TempDir Path dir) throws Exception {
        Path model = RewardFixtures.model(dir);
        Files.writeString(dir.resolve("pairs.jsonl"), RewardFixtures.pairs(80, 3));
        Path runDir = dir.resolve("dpo");
        assertThat(run(dpoArgs(model, dir.resolve("pairs.jsonl"), runDir, "--loss", "simpo", "--lora",
                "r=4,alpha=8", "--merge", "--lr", "5e-3", "--eval-every", "2"))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("dpo (simpo): 4 steps on 63 examples").contains("eval reward accuracy");
        assertThat(runDir.resolve("final/adapter_config.json")).exists();
        assertThat(runDir.resolve("final/merged/model.safetensors")).exists();
        assertThat(runDir.resolve("final/merged/tokenizer.json")).exists();
        JsonObject manifest = JsonParser.parseString(Files.readString(runDir.resolve("manifest.json"))).getAsJsonObject();
        assertThat(manifest.get("command").getAsString()).isEqualTo("dpo");
        assertThat(manifest.getAsJsonObject("config").get("loss").getAsString()).isEqualTo("simpo");
        assertThat(manifest.getAsJsonObject("config").get("beta").getAsDouble()).isEqualTo(2.0);
        assertThat(manifest.getAsJsonObject("inputs").getAsJsonObject("data").get("sha256").getAsString()).hasSize(64);
        List<JsonObject> metrics = lines(runDir.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(4);
        for (String name : List.of("loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins",
                "logps/chosen", "logps/rejected", "lr", "grad_norm")) {
            assertThat(metrics.get(0).has(name)).as(name).isTrue();
        }
        assertThat(metrics.get(1).has("eval_rewards/accuracies")).isTrue();
    }

    @Test
    void aRunKilledWithSigkillResumesToTheSameWeights(@TempDir Path dir) throws Exception {
        Path model = RewardFixtures.model(dir);
        Path data = dir.resolve("pairs.jsonl");
        Files.writeString(data, RewardFixtures.pairs(160, 3));
        String[] more = {"--epochs", "3", "--checkpoint-every", "4", "--lr", "1e-3"};
        Path straight = dir.resolve("straight");
        assertThat(run(dpoArgs(model, data, straight, more))).as(err.toString()).isZero();

        Path killed = dir.resolve("killed");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2",
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", System.getProperty("java.class.path"), "org.jalign.cli.Main"));
        command.addAll(List.of(dpoArgs(model, data, killed, more)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        Path checkpoint = killed.resolve("checkpoints/step-0000000008");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!Files.exists(checkpoint) && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(process.isAlive()).as("the child finished before it could be killed: "
                + Files.readString(dir.resolve("child.log"))).isTrue();
        process.destroyForcibly().waitFor();   // SIGKILL: no shutdown hooks, no flushing
        assertThat(killed.resolve("final")).doesNotExist();

        assertThat(run(append(dpoArgs(model, data, killed, more), "--resume"))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("resumed at step");
        try (SafetensorsFile a = SafetensorsFile.open(straight.resolve("final/model.safetensors"));
             SafetensorsFile b = SafetensorsFile.open(killed.resolve("final/model.safetensors"))) {
            assertThat(b.names()).containsExactlyInAnyOrderElementsOf(a.names());
            for (String name : a.names()) {
                assertThat(b.readFloats(name)).as(name).containsExactly(a.readFloats(name));
            }
        }
        List<JsonObject> metrics = lines(killed.resolve("metrics.jsonl"));
        List<JsonObject> reference = lines(straight.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(reference.size()).hasSizeGreaterThan(8);
        for (int i = 0; i < metrics.size(); i++) {
            assertThat(metrics.get(i).get("step").getAsLong()).isEqualTo(i + 1);
            assertThat(metrics.get(i).get("loss")).isEqualTo(reference.get(i).get("loss"));
        }
    }

    private static String[] append(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void badInputsAreNamedByFileLineAndField(@TempDir Path dir) throws Exception {
        Path model = RewardFixtures.model(dir);
        List<String> lines = new ArrayList<>(List.of(RewardFixtures.pairs(20, 3).split("\n")));
        lines.set(2, "{\"prompt\": \"the cat\", \"chosen\": \"sat\"}");
        Files.write(dir.resolve("bad.jsonl"), lines);
        assertThat(run(dpoArgs(model, dir.resolve("bad.jsonl"), dir.resolve("r1")))).isEqualTo(1);
        assertThat(err.toString()).contains("bad.jsonl line 3").contains("\"rejected\"");
        assertThat(dir.resolve("r1")).doesNotExist();   // refused before a run directory is made

        Files.writeString(dir.resolve("thumbs.jsonl"), """
                {"prompt": "a", "completion": "the cat", "label": true}
                {"prompt": "b", "completion": "a dog", "label": "yes"}
                """);
        assertThat(run(dpoArgs(model, dir.resolve("thumbs.jsonl"), dir.resolve("r2"), "--loss", "kto"))).isEqualTo(1);
        assertThat(err.toString()).contains("thumbs.jsonl line 2: field \"label\" is \"yes\"");
        Files.writeString(dir.resolve("pairs-for-kto.jsonl"), "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n");
        assertThat(run(dpoArgs(model, dir.resolve("pairs-for-kto.jsonl"), dir.resolve("r3"), "--loss", "kto"))).isEqualTo(1);
        assertThat(err.toString()).contains("pairs-for-kto.jsonl line 1: the line has \"chosen\" and no \"completion\"");

        Path pairs = dir.resolve("pairs.jsonl");
        Files.writeString(pairs, RewardFixtures.pairs(20, 3));
        assertThat(run(dpoArgs(model, pairs, dir.resolve("r4"), "--loss", "cdpo"))).isEqualTo(2);
        assertThat(err.toString()).contains("--loss must be one of sigmoid, ipo, hinge, simpo, orpo, kto");
        assertThat(run(dpoArgs(model, pairs, dir.resolve("r5"), "--merge"))).isEqualTo(2);
        assertThat(err.toString()).contains("--merge needs --lora");
        assertThat(run(dpoArgs(model, pairs, dir.resolve("r6"), "--loss", "ipo", "--label-smoothing", "0.1"))).isEqualTo(2);
        assertThat(err.toString()).contains("--label-smoothing applies to --loss sigmoid and simpo, not ipo");
        assertThat(run(dpoArgs(model, pairs, dir.resolve("r7"), "--loss", "simpo", "--precompute-ref-log-probs"))).isEqualTo(2);
        assertThat(err.toString()).contains("--loss simpo uses no reference model");
        assertThat(run(dpoArgs(model, pairs, dir.resolve("r8"), "--beta", "0"))).isEqualTo(2);
        assertThat(err.toString()).contains("--beta must be > 0, got 0.0");
        assertThat(run(dpoArgs(model, pairs, dir.resolve("r9"), "--loss", "orpo", "--beta", "0.2"))).isEqualTo(2);
        assertThat(err.toString()).contains("--loss orpo has no beta");
    }
}
