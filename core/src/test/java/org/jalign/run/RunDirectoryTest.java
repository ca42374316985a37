package org.jalign.run;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunDirectoryTest {

    @Test
    void aNewRunNeedsAnEmptyDirectoryAndAResumeNeedsAManifest(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        RunDirectory.open(run, false).writeManifest(new JsonObject());
        assertThatThrownBy(() -> RunDirectory.open(run, false)).hasMessageContaining("exists and is not empty")
                .hasMessageContaining("--resume");
        assertThat(RunDirectory.open(run, true).dir()).isEqualTo(run);
        assertThatThrownBy(() -> RunDirectory.open(tmp.resolve("other"), true)).hasMessageContaining("no manifest.json");
    }

    @Test
    void manifestHoldsTheInputsSha256(@TempDir Path tmp) throws Exception {
        Path data = Files.writeString(tmp.resolve("data.txt"), "abc");
        JsonObject m = RunDirectory.manifest("pretrain", new JsonObject(), 7, Map.of("data", data));
        // SHA-256("abc"), FIPS 180-2 appendix B.1
        assertThat(m.getAsJsonObject("inputs").getAsJsonObject("data").get("sha256").getAsString())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(m.get("seed").getAsLong()).isEqualTo(7);
        assertThat(m.getAsJsonObject("versions").has("djl")).isTrue();
    }

    @Test
    void manifestWithHashesWritesTheGivenHashesInTheManifestsFieldOrder(@TempDir Path tmp) throws Exception {
        Path data = Files.writeString(tmp.resolve("data.txt"), "abc");
        JsonObject config = new JsonObject();
        config.addProperty("lr", 0.5);
        JsonObject hashed = RunDirectory.manifestWithHashes("spark score", config, 3, Map.of("data",
                new RunDirectory.HashedInput("hdfs:///in/data.txt", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")));
        JsonObject fromFiles = RunDirectory.manifest("spark score", config, 3, Map.of("data", data));
        assertThat(hashed.keySet()).containsExactly("command", "created", "seed", "config", "versions", "inputs");
        assertThat(hashed.keySet()).containsExactlyElementsOf(fromFiles.keySet());
        assertThat(hashed.getAsJsonObject("inputs").getAsJsonObject("data").toString())
                .isEqualTo("{\"path\":\"hdfs:///in/data.txt\",\"sha256\":"
                        + "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}");
        assertThat(hashed.getAsJsonObject("inputs").getAsJsonObject("data").get("sha256"))
                .isEqualTo(fromFiles.getAsJsonObject("inputs").getAsJsonObject("data").get("sha256"));
        assertThat(hashed.get("config")).isEqualTo(config);
        assertThat(hashed.get("versions")).isEqualTo(fromFiles.get("versions"));
    }

    @Test
    void checkpointsAppearWholeAndOnlyTheNewestAreKept(@TempDir Path tmp) throws Exception {
        RunDirectory run = RunDirectory.open(tmp.resolve("run"), false);
        assertThat(run.latestCheckpoint()).isEmpty();
        for (long step : new long[] {10, 20, 30}) {
            Path staged = run.stageCheckpoint();
            Files.writeString(staged.resolve("weights"), "w" + step);
            run.commitCheckpoint(staged, step, 2);
        }
        Path crashed = run.stageCheckpoint(); // a checkpoint killed mid-write is never "latest"
        Files.writeString(crashed.resolve("weights"), "partial");
        assertThat(run.latestCheckpoint()).get().satisfies(p -> {
            assertThat(RunDirectory.stepOf(p)).isEqualTo(30);
            assertThat(p.resolve("weights")).hasContent("w30");
        });
        Path staged = run.stageCheckpoint();
        run.commitCheckpoint(staged, 40, 2);
        try (var files = Files.list(tmp.resolve("run/checkpoints"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("step-0000000030", "step-0000000040");
        }
    }

    @Test
    void resumingDropsMetricsLoggedAfterTheCheckpointAndATornLine(@TempDir Path tmp) throws Exception {
        RunDirectory run = RunDirectory.open(tmp.resolve("run"), false);
        try (BufferedWriter w = run.openMetrics(0)) {
            for (int step = 1; step <= 5; step++) {
                w.write("{\"step\":" + step + ",\"loss\":1.0}\n");
            }
            w.write("{\"step\":6,\"lo");
        }
        try (BufferedWriter w = run.openMetrics(3)) {
            w.write("{\"step\":4,\"loss\":0.5}\n");
        }
        List<String> lines = Files.readAllLines(tmp.resolve("run/metrics.jsonl"), StandardCharsets.UTF_8);
        assertThat(lines).containsExactly("{\"step\":1,\"loss\":1.0}", "{\"step\":2,\"loss\":1.0}",
                "{\"step\":3,\"loss\":1.0}", "{\"step\":4,\"loss\":0.5}");
    }

    @Test
    void aNullConfigFieldDoesNotMakeAResumeLookLikeAnotherRun(@TempDir Path tmp) throws Exception {
        // sft and reward train write {"lora": null} without LoRA; the manifest file drops nulls
        com.google.gson.JsonObject config = new com.google.gson.JsonObject();
        config.addProperty("lora", (String) null);
        config.addProperty("epochs", 1);
        Path dir = tmp.resolve("run");
        RunDirectory.start(dir, false, RunDirectory.manifest("x", config, 1, java.util.Map.of()));
        RunDirectory.start(dir, true, RunDirectory.manifest("x", config, 1, java.util.Map.of()));   // no throw
        config.addProperty("epochs", 2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunDirectory.start(dir, true,
                RunDirectory.manifest("x", config, 1, java.util.Map.of()))).hasMessageContaining("other config");
    }
}
