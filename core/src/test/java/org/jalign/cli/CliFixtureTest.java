package org.jalign.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CLI end to end on the real pretrained tiny Llama (llama-260k: vocab 512, no tokenizer).
 * Greedy decoding must reproduce the reference ids, and those ids must score as argmax tokens.
 */
@Tag("fixture")
class CliFixtureTest {

    private static final int NEW_TOKENS = 20;

    @TempDir
    Path dir;

    private Path model;
    private int[] expected;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void fixture() throws IOException {
        String fixtures = System.getProperty("jalign.fixtures");
        assumeTrue(fixtures != null, "system property jalign.fixtures is not set");
        model = Path.of(fixtures, "llama-260k");
        assumeTrue(Files.isDirectory(model), model + " is absent");
        // Format: "t461 t461 t401 ..."
        expected = Arrays.stream(Files.readString(model.resolve("greedy-from-bos.txt")).trim().split("\\s+"))
                .limit(NEW_TOKENS).mapToInt(t -> Integer.parseInt(t.substring(1))).toArray();
    }

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private List<JsonObject> readOutput(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    }

    private static int[] ints(JsonArray a) {
        return a.asList().stream().mapToInt(e -> e.getAsInt()).toArray();
    }

    @Test
    void greedyGenerationReproducesTheReference() throws IOException {
        Path prompts = Files.writeString(dir.resolve("prompts.jsonl"), "{\"prompt_ids\": [1], \"id\": \"bos\"}\n");
        Path output = dir.resolve("out.jsonl");
        int status = run("generate", "--model", model.toString(), "--input", prompts.toString(),
                "--output", output.toString(), "--greedy", "--max-new-tokens", String.valueOf(NEW_TOKENS), "--quiet");
        assertThat(status).as(err.toString()).isZero();

        List<JsonObject> lines = readOutput(output);
        assertThat(lines).hasSize(1);
        JsonObject line = lines.get(0);
        assertThat(ints(line.getAsJsonArray("prompt_ids"))).containsExactly(1);
        assertThat(ints(line.getAsJsonArray("completion_ids"))).containsExactly(expected);
        assertThat(line.get("finish_reason").getAsString()).isEqualTo("length");
        assertThat(line.get("sample_index").getAsInt()).isZero();
        assertThat(line.get("id").getAsString()).isEqualTo("bos");
        assertThat(line.has("completion")).as("no tokenizer.json, so no text").isFalse();
    }

    @Test
    void greedyTokensScoreAsArgmax() throws IOException {
        JsonObject input = new JsonObject();
        JsonArray ids = new JsonArray();
        ids.add(1);
        Arrays.stream(expected).forEach(ids::add);
        input.add("input_ids", ids);
        Path seqs = Files.writeString(dir.resolve("seqs.jsonl"), input + "\n");
        Path output = dir.resolve("scored.jsonl");
        int status = run("logprobs", "--model", model.toString(), "--input", seqs.toString(),
                "--output", output.toString(), "--quiet");
        assertThat(status).as(err.toString()).isZero();

        JsonArray logProbs = readOutput(output).get(0).getAsJsonArray("logprobs");
        assertThat(logProbs).hasSize(NEW_TOKENS);
        double floor = Math.log(1.0 / 512) - 1e-4; // an argmax over 512 tokens has p >= 1/512
        for (int i = 0; i < NEW_TOKENS; i++) {
            double lp = logProbs.get(i).getAsDouble();
            assertThat(lp).as("logprobs[%d]", i).isFinite().isLessThanOrEqualTo(0.0).isGreaterThanOrEqualTo(floor);
        }
    }
}
