package org.jalign.spark;

import com.google.gson.JsonObject;
import org.jalign.lm.GeneratedSequence;
import org.jalign.lm.GenerationConfig;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TinyTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The distributed {@code generate} against the single-machine {@code jalign generate} (the
 * reference: same seed, same options): the same lines, token for token and byte for byte,
 * whatever the partitioning and however the input is split into files.
 */
class GenerateJobTest {
    private static final String[] WORDS = {"the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park", "big", "red"};

    @TempDir
    static Path dir;
    private static Path model;
    private static Path prompts;
    private static List<String> promptLines;

    @BeforeAll
    static void setUp() throws Exception {
        model = TinyModelFiles.languageModel(dir.resolve("model"), 11);
        // 13 prompts: text and ids, extra fields (one null, one with characters HTML would escape), a blank line
        SplittableRandom random = new SplittableRandom(3);
        promptLines = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            if (i % 4 == 3) {
                promptLines.add("{\"prompt_ids\": [" + TinyTokenizer.BOS + ", " + (4 + random.nextInt(16)) + ", "
                        + (4 + random.nextInt(16)) + "], \"id\": " + i + "}");
            } else {
                StringBuilder text = new StringBuilder();
                for (int w = 0, n = 1 + random.nextInt(4); w < n; w++) {
                    text.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
                }
                promptLines.add("{\"id\": " + i + ", \"prompt\": \"" + text + "\", \"note\": " + (i == 5 ? "null" : "\"<é & ü>\"") + "}");
            }
        }
        List<String> withBlank = new ArrayList<>(promptLines);
        withBlank.add(6, "   ");
        prompts = dir.resolve("prompts.jsonl");
        Files.write(prompts, withBlank, StandardCharsets.UTF_8);
        LocalSpark.context();
    }

    private static List<String> cli(Path output, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--input", prompts.toString(),
                "--output", output.toString(), "--quiet"));
        args.addAll(List.of(options));
        LocalSpark.Run run = LocalSpark.cli(args.toArray(String[]::new));
        assertThat(run.status()).as(run.err()).isZero();
        return Files.readAllLines(output, StandardCharsets.UTF_8);
    }

    private static List<String> spark(String input, Path output, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--input", input,
                "--output", output.toString()));
        args.addAll(List.of(options));
        LocalSpark.Run run = LocalSpark.sparkJobs(args.toArray(String[]::new));
        assertThat(run.status()).as(run.err()).isZero();
        return LocalSpark.partLines(output);
    }

    @Test
    void samplingMatchesTheCliTokenForTokenWhateverThePartitioning() throws Exception {
        String[] options = {"--temperature", "0.9", "--top-p", "0.85", "--num-return-sequences", "3", "--seed", "42",
            "--batch-size", "3", "--max-new-tokens", "10"};
        List<String> reference = cli(dir.resolve("sampled-cli.jsonl"), options);
        assertThat(reference).hasSize(13 * 3);
        // samples differ from each other, so equality below is not equality of three copies
        assertThat(LocalSpark.objects(reference).stream().map(o -> o.get("completion_ids").toString()).distinct().count())
                .isGreaterThan(13);

        Path three = dir.resolve("sampled-3");
        List<String> inThree = spark(prompts.toString(), three, concat(options, "--partitions", "3"));
        assertThat(inThree).containsExactlyElementsOf(reference);
        assertThat(LocalSpark.partFiles(three)).isEqualTo(3);
        assertThat(Files.exists(three.resolve("_SUCCESS"))).isTrue();

        // the same prompts split over two files of a directory, one partition: the same lines again
        Path split = Files.createDirectories(dir.resolve("split"));
        Files.write(split.resolve("a.jsonl"), promptLines.subList(0, 5), StandardCharsets.UTF_8);
        Files.write(split.resolve("b.jsonl"), promptLines.subList(5, 13), StandardCharsets.UTF_8);
        assertThat(spark(split.toString(), dir.resolve("sampled-1"), concat(options, "--partitions", "1")))
                .containsExactlyElementsOf(reference);
    }

    @Test
    void greedyMatchesTheCliAndEachPromptDecodedAlone() throws Exception {
        String[] options = {"--greedy", "--batch-size", "4", "--max-new-tokens", "8"};
        List<String> reference = cli(dir.resolve("greedy-cli.jsonl"), options);
        List<String> distributed = spark(prompts.toString(), dir.resolve("greedy-2"), concat(options, "--partitions", "2"));
        assertThat(distributed).containsExactlyElementsOf(reference);

        // and against the Generator itself, each prompt alone with its global index
        List<JsonObject> lines = LocalSpark.objects(distributed);
        try (LanguageModel lm = LanguageModel.load(model)) {
            for (int i = 0; i < lines.size(); i++) {
                int[] promptIds = ints(lines.get(i).get("prompt_ids").getAsJsonArray());
                GeneratedSequence alone = lm.generate(List.of(promptIds), GenerationConfig.greedy(8), i).get(0);
                assertThat(ints(lines.get(i).get("completion_ids").getAsJsonArray())).as("prompt %d", i)
                        .containsExactly(alone.completionIds());
            }
        }
    }

    @Test
    void aGpt2DecodedByDjlMatchesTheCliToo() throws Exception {
        Path gpt2 = TinyModelFiles.gpt2(dir.resolve("gpt2"), 5);
        Path idsOnly = dir.resolve("ids.jsonl");
        List<String> lines = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 9; i++) {
            lines.add("{\"prompt_ids\": [" + (1 + random.nextInt(60)) + ", " + (1 + random.nextInt(60)) + "]}");
        }
        Files.write(idsOnly, lines, StandardCharsets.UTF_8);
        String[] common = {"--model", gpt2.toString(), "--input", idsOnly.toString(), "--temperature", "1.3",
            "--top-k", "20", "--num-return-sequences", "2", "--seed", "7", "--batch-size", "2", "--max-new-tokens", "6"};
        LocalSpark.Run cli = LocalSpark.cli(concat(concat(new String[] {"generate"}, common),
                "--output", dir.resolve("gpt2-cli.jsonl").toString(), "--quiet"));
        assertThat(cli.status()).as(cli.err()).isZero();
        LocalSpark.Run spark = LocalSpark.sparkJobs(concat(concat(new String[] {"generate"}, common),
                "--output", dir.resolve("gpt2-spark").toString(), "--partitions", "4"));
        assertThat(spark.status()).as(spark.err()).isZero();
        assertThat(LocalSpark.partLines(dir.resolve("gpt2-spark")))
                .containsExactlyElementsOf(Files.readAllLines(dir.resolve("gpt2-cli.jsonl")));
    }

    static String[] concat(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    private static int[] ints(com.google.gson.JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }
}
