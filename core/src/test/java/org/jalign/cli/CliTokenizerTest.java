package org.jalign.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.lm.HfTokenizer;
import org.jalign.lm.TinyCheckpoints;
import org.jalign.lm.TinyTokenizer;
import org.junit.jupiter.api.BeforeEach;
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
import static org.jalign.lm.TinyTokenizer.BOS;
import static org.jalign.lm.TinyTokenizer.id;

/**
 * {@code jalign generate} with text prompts: a tiny random Llama whose vocabulary is the
 * hand-written 20-word tokenizer.json, so every id in the output can be checked by hand.
 */
class CliTokenizerTest {

    private static final long WEIGHT_SEED = 11;

    @TempDir
    Path dir;

    private Path model;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void model() throws IOException {
        // config.json names no special ids: BOS, EOS and pad must come from tokenizer_config.json.
        model = TinyCheckpoints.write(dir.resolve("model"), TinyTokenizer.llamaConfig(-1, List.of(), -1), WEIGHT_SEED);
        TinyTokenizer.write(model);
        Files.writeString(model.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<bos>\", \"eos_token\": {\"content\": \"<eos>\"}, \"pad_token\": \"<pad>\"}");
    }

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static List<JsonObject> lines(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    }

    private static int[] ints(JsonArray a) {
        return a.asList().stream().mapToInt(e -> e.getAsInt()).toArray();
    }

    @Test
    void textPromptsAreEncodedAfterBosAndCompletionsDecodedWithoutSpecialTokens() throws IOException {
        Path prompts = file("prompts.jsonl", """
                {"prompt": "the cat sat", "id": "a"}
                {"prompt": "a big dog ran to the park.", "id": "b"}
                {"prompt": "<bos> the zebra", "id": "c"}
                """);
        Path output = dir.resolve("out.jsonl");
        assertThat(run("generate", "--model", model.toString(), "--input", prompts.toString(), "--output",
                output.toString(), "--greedy", "--max-new-tokens", "12", "--quiet")).as(err.toString()).isZero();

        List<JsonObject> lines = lines(output);
        assertThat(lines).extracting(l -> l.get("id").getAsString()).containsExactly("a", "b", "c");
        // Ids worked out from the vocabulary by hand.
        assertThat(ints(lines.get(0).getAsJsonArray("prompt_ids"))).containsExactly(BOS, id("the"), id("cat"), id("sat"));
        assertThat(ints(lines.get(1).getAsJsonArray("prompt_ids"))).containsExactly(BOS, id("a"), id("big"), id("dog"),
                id("ran"), id("to"), id("the"), id("park"), id("."));
        // A prompt that already starts with BOS gets no second one; an unknown word is <unk>.
        assertThat(ints(lines.get(2).getAsJsonArray("prompt_ids"))).containsExactly(BOS, id("the"), TinyTokenizer.UNK);

        try (HfTokenizer tokenizer = HfTokenizer.load(model)) {
            for (JsonObject line : lines) {
                int[] completion = ints(line.getAsJsonArray("completion_ids"));
                assertThat(completion).isNotEmpty();
                assertThat(Arrays.stream(completion)).allMatch(i -> i >= 0 && i < TinyTokenizer.VOCAB_SIZE);
                String finish = line.get("finish_reason").getAsString();
                assertThat(completion.length == 12 || finish.equals("eos")).as(line.toString()).isTrue();
                if (finish.equals("eos")) {
                    assertThat(completion[completion.length - 1]).isEqualTo(TinyTokenizer.EOS);
                }
                assertThat(line.get("completion").getAsString()).as(line.toString())
                        .isEqualTo(tokenizer.decode(completion, true))
                        .doesNotContain("<bos>", "<eos>", "<pad>", "<unk>");
                assertThat(line.get("prompt").getAsString()).as("input fields are copied").isNotEmpty();
            }
        }
    }

    @Test
    void aTextPromptContinuesExactlyAsItsIdsDo() throws IOException {
        Path text = file("text.jsonl", "{\"prompt\": \"the dog ran\"}\n");
        Path ids = file("ids.jsonl", "{\"prompt_ids\": [1, 4, 10, 11]}\n");
        for (Path input : List.of(text, ids)) {
            assertThat(run("generate", "--model", model.toString(), "--input", input.toString(), "--output",
                    dir.resolve(input.getFileName() + ".out").toString(), "--greedy", "--max-new-tokens", "6",
                    "--quiet")).as(err.toString()).isZero();
        }
        JsonObject fromText = lines(dir.resolve("text.jsonl.out")).get(0);
        JsonObject fromIds = lines(dir.resolve("ids.jsonl.out")).get(0);
        assertThat(fromText.get("prompt_ids")).isEqualTo(fromIds.get("prompt_ids"));
        assertThat(fromText.get("completion_ids")).isEqualTo(fromIds.get("completion_ids"));
        assertThat(fromText.get("completion")).isEqualTo(fromIds.get("completion"));
    }

    @Test
    void aTextPromptWithoutTokenizerJsonFailsNamingTheLine() throws IOException {
        Path bare = TinyCheckpoints.write(dir.resolve("bare"), TinyTokenizer.llamaConfig(BOS, List.of(2), 0), WEIGHT_SEED);
        Path prompts = file("mixed.jsonl", "{\"prompt_ids\": [1, 4]}\n\n{\"prompt\": \"the cat\"}\n");
        Path output = dir.resolve("out.jsonl");
        assertThat(run("generate", "--model", bare.toString(), "--input", prompts.toString(), "--output",
                output.toString(), "--greedy", "--quiet")).isEqualTo(1);
        assertThat(err.toString())
                .contains("mixed.jsonl line 3: field \"prompt\" is text, but " + bare + " has no tokenizer.json")
                .doesNotContain("\tat ");
        assertThat(output).doesNotExist();
    }

    @Test
    void theSameSeedGivesTheSameFileAndAnotherSeedAnother() throws IOException {
        Path prompts = file("prompts.jsonl", "{\"prompt\": \"the cat\"}\n{\"prompt\": \"a red dog ran\"}\n");
        Path first = dir.resolve("seed5-a.jsonl");
        Path second = dir.resolve("seed5-b.jsonl");
        Path other = dir.resolve("seed6.jsonl");
        for (Object[] run : new Object[][] {{first, 5}, {second, 5}, {other, 6}}) {
            assertThat(run("generate", "--model", model.toString(), "--input", prompts.toString(), "--output",
                    run[0].toString(), "--num-return-sequences", "3", "--seed", run[1].toString(),
                    "--max-new-tokens", "10", "--quiet")).as(err.toString()).isZero();
        }
        List<JsonObject> lines = lines(first);
        assertThat(lines).hasSize(6);
        assertThat(lines).extracting(l -> l.get("sample_index").getAsInt()).containsExactly(0, 1, 2, 0, 1, 2);
        assertThat(Files.readString(second)).isEqualTo(Files.readString(first));
        assertThat(Files.readString(other)).isNotEqualTo(Files.readString(first));
        // Sampling at temperature 1 from a random model: three samples of one prompt are not all alike.
        assertThat(lines.subList(0, 3).stream().map(l -> l.get("completion_ids").toString()).distinct().count())
                .isGreaterThan(1);
    }
}
