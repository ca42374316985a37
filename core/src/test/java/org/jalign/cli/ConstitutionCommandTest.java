package org.jalign.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.constitution.ConstitutionFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** `jalign constitution revise|judge` end to end on a tiny model, and their errors. */
class ConstitutionCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private static List<JsonObject> lines(Path file) throws Exception {
        List<JsonObject> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(JsonParser.parseString(line).getAsJsonObject());
        }
        return lines;
    }

    @Test
    void reviseThenJudgeTheRevisionsWithTheDefaultConstitution(@TempDir Path dir) throws Exception {
        Path model = ConstitutionFixtures.model(dir.resolve("model"), 3);
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, "{\"prompt\": \"the cat sat\"}\n{\"prompt\": \"a dog\", \"response\": \"a rude dog\"}\n");
        Path runDir = dir.resolve("revise");
        assertThat(run("constitution", "revise", "--model", model.toString(), "--prompts", prompts.toString(),
                "--rounds", "2", "--out", runDir.toString(), "--max-new-tokens", "4", "--seed", "1", "--quiet"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("constitution revise: 2 prompts, 2 rounds, Human:/Assistant: format");
        assertThat(lines(runDir.resolve("sft.jsonl"))).hasSize(2);
        assertThat(runDir.resolve("checkpoints")).doesNotExist();
        JsonObject manifest = JsonParser.parseString(Files.readString(runDir.resolve("manifest.json"))).getAsJsonObject();
        assertThat(manifest.getAsJsonObject("config").get("constitution").getAsString()).isEqualTo("default");
        assertThat(manifest.getAsJsonObject("config").get("rounds").getAsInt()).isEqualTo(2);

        // judge the initial response against the two revisions
        Path input = dir.resolve("judge.jsonl");
        StringBuilder text = new StringBuilder();
        for (JsonObject t : lines(runDir.resolve("trace.jsonl"))) {
            JsonObject line = new JsonObject();
            line.addProperty("prompt", t.get("prompt").getAsString());
            com.google.gson.JsonArray completions = new com.google.gson.JsonArray();
            completions.add(t.get("initial_response").getAsString() + " A");   // distinct texts, non-empty
            t.getAsJsonArray("rounds").forEach(r -> completions.add(r.getAsJsonObject().get("revision").getAsString() + " B"));
            line.add("completions", completions);
            text.append(line).append('\n');
        }
        Files.writeString(input, text);
        Path pairs = dir.resolve("pairs.jsonl");
        assertThat(run("constitution", "judge", "--judge-model", model.toString(), "--input", input.toString(),
                "--out", pairs.toString(), "--principles-per-pair", "2", "--quiet")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("constitution judge: 2 prompts, 6 pairs judged");
        List<JsonObject> written = lines(pairs);
        assertThat(written).isNotEmpty().hasSizeLessThanOrEqualTo(6);
        for (JsonObject p : written) {
            assertThat(p.keySet()).containsExactly("prompt", "chosen", "rejected", "prompt_id", "margin", "labeler_count",
                    "preference_probability");
            assertThat(p.get("preference_probability").getAsDouble()).isGreaterThan(0.5).isLessThanOrEqualTo(1.0);
            assertThat(p.get("labeler_count").getAsInt()).isEqualTo(2);
        }
        assertThat(dir.resolve("pairs.jsonl.manifest.json")).exists();
        // reward train reads the pairs unchanged
        assertThat(run("reward", "train", "--model", model.toString(), "--data", pairs.toString(), "--out",
                dir.resolve("rm").toString(), "--eval-fraction", "0", "--quiet")).as(err.toString()).isZero();
    }

    @Test
    void badInputsAreNamed(@TempDir Path dir) throws Exception {
        Path model = ConstitutionFixtures.model(dir.resolve("model"), 3);
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, "{\"prompt\": \"the cat sat\"}\n");
        Path constitution = dir.resolve("c.jsonl");
        Files.writeString(constitution, "{\"id\": \"x\", \"critique\": \"c\", \"revision\": \"r\"}\n");
        assertThat(run("constitution", "revise", "--model", model.toString(), "--prompts", prompts.toString(),
                "--constitution", constitution.toString(), "--out", dir.resolve("r").toString(), "--quiet")).isEqualTo(1);
        assertThat(err.toString()).contains(constitution + " line 1: field \"judge\" is missing; expected a non-empty string");
        assertThat(run("constitution", "revise", "--model", model.toString(), "--prompts", prompts.toString(),
                "--rounds", "0", "--out", dir.resolve("r").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--rounds must be >= 1, got 0");
        assertThat(run("constitution", "judge", "--judge-model", model.toString(), "--input", prompts.toString(),
                "--out", dir.resolve("p.jsonl").toString(), "--min-confidence", "0.5")).isEqualTo(2);
        assertThat(err.toString()).contains("--min-confidence must be in [0, 0.5), got 0.5");
        assertThat(run("constitution", "judge", "--judge-model", model.toString(), "--input", prompts.toString(),
                "--out", dir.resolve("p.jsonl").toString(), "--quiet")).isEqualTo(1);
        assertThat(err.toString()).contains(prompts + " line 1: the line has neither \"completions\" nor \"chosen\"/\"rejected\"");
        Path one = dir.resolve("one.jsonl");
        Files.writeString(one, "{\"prompt\": \"p\", \"completions\": [\"a\", \"b\"]}\n");
        assertThat(run("constitution", "judge", "--judge-model", model.toString(), "--input", one.toString(),
                "--out", dir.resolve("p.jsonl").toString(), "--principles-per-pair", "9", "--quiet")).isEqualTo(1);
        assertThat(err.toString()).contains("--principles-per-pair 9 exceeds the constitution's 6 principles");
        assertThat(dir.resolve("p.jsonl")).doesNotExist();
        assertThat(run("constitution")).isEqualTo(2);
        assertThat(err.toString()).contains("choose a subcommand: revise, judge");
    }
}
