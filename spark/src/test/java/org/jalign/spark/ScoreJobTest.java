package org.jalign.spark;

import com.google.gson.JsonObject;
import org.jalign.reward.ClassifierReward;
import org.jalign.reward.RewardEncoder;
import org.jalign.reward.RewardModel;
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
import static org.assertj.core.api.Assertions.within;

/**
 * The distributed {@code score} against {@code jalign reward score} (same lines, byte for byte)
 * and against {@link RewardModel} called in this process on the whole input as one batch (within
 * 1e-6: a different batch pads differently).
 */
class ScoreJobTest {
    private static final String[] WORDS = {"the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park", "big", "red", "!"};

    @TempDir
    static Path dir;
    private static Path input;
    private static final List<int[]> PROMPT_IDS = new ArrayList<>();
    private static final List<int[]> COMPLETION_IDS = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        SplittableRandom random = new SplittableRandom(17);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            if (i % 3 == 0) {
                int[] prompt = {1, 4 + random.nextInt(16), 4 + random.nextInt(16)};
                int[] completion = new int[1 + random.nextInt(5)];
                for (int t = 0; t < completion.length; t++) {
                    completion[t] = 4 + random.nextInt(16);
                }
                PROMPT_IDS.add(prompt);
                COMPLETION_IDS.add(completion);
                lines.add("{\"prompt_ids\": " + java.util.Arrays.toString(prompt) + ", \"completion_ids\": "
                        + java.util.Arrays.toString(completion) + ", \"id\": " + i + "}");
            } else {
                lines.add("{\"prompt\": \"" + words(random, 1 + random.nextInt(3)) + "\", \"completion\": \""
                        + words(random, 1 + random.nextInt(6)) + "\", \"id\": " + i + "}");
            }
        }
        input = dir.resolve("completions.jsonl");
        Files.write(input, lines, StandardCharsets.UTF_8);
        LocalSpark.context();
    }

    private static String words(SplittableRandom random, int n) {
        StringBuilder text = new StringBuilder();
        for (int w = 0; w < n; w++) {
            text.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return text.toString();
    }

    private static void bothPathsAgree(Path model, String name, String... options) throws Exception {
        Path cliOutput = dir.resolve(name + "-cli.jsonl");
        List<String> cli = new ArrayList<>(List.of("reward", "score", "--model", model.toString(), "--input", input.toString(),
                "--output", cliOutput.toString(), "--batch-size", "4", "--quiet"));
        cli.addAll(List.of(options));
        LocalSpark.Run reference = LocalSpark.cli(cli.toArray(String[]::new));
        assertThat(reference.status()).as(reference.err()).isZero();

        List<String> spark = new ArrayList<>(List.of("score", "--model", model.toString(), "--input", input.toString(),
                "--output", dir.resolve(name + "-out").toString(), "--batch-size", "4", "--partitions", "3"));
        spark.addAll(List.of(options));
        LocalSpark.Run run = LocalSpark.sparkJobs(spark.toArray(String[]::new));
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(LocalSpark.partLines(dir.resolve(name + "-out"))).containsExactlyElementsOf(Files.readAllLines(cliOutput));
    }

    @Test
    void aRewardModelScoresAsTheCliAndAsRewardModelItself() throws Exception {
        Path model = TinyModelFiles.classifier(dir.resolve("rm"), 21, List.of("reward"),
                "{\"gain\": 2.5, \"bias\": -0.75, \"max_length\": 0}");
        bothPathsAgree(model, "rm");

        List<JsonObject> scored = LocalSpark.objects(LocalSpark.partLines(dir.resolve("rm-out")));
        assertThat(scored).hasSize(14);
        List<int[]> sequences = new ArrayList<>();
        List<Float> distributed = new ArrayList<>();
        for (JsonObject line : scored) {
            if (line.has("prompt_ids")) {
                int k = sequences.size();
                sequences.add(RewardEncoder.concatenate(PROMPT_IDS.get(k), COMPLETION_IDS.get(k), 0));
                distributed.add(line.get("reward").getAsFloat());
            }
        }
        try (RewardModel rewardModel = RewardModel.load(model)) {
            rewardModel.setBatchSize(64);   // one batch: not the job's batches of 4
            float[] single = rewardModel.rewards(sequences);
            for (int i = 0; i < single.length; i++) {
                assertThat(distributed.get(i)).as("ids line %d", i).isCloseTo(single[i], within(1e-6f));
            }
            // the rewards are not all equal (a constant would pass the comparison above trivially)
            assertThat(distributed.stream().distinct().count()).isEqualTo(distributed.size());
        }
    }

    @Test
    void aClassifierLabelAndRawRewardMatchTheCli() throws Exception {
        Path classifier = TinyModelFiles.classifier(dir.resolve("classifier"), 23, List.of("bad", "good"), null);
        bothPathsAgree(classifier, "classifier", "--label", "good", "--reward", "log-odds");
        try (ClassifierReward reference = ClassifierReward.load(classifier, "good", ClassifierReward.Mode.LOG_ODDS)) {
            assertThat(reference.labels()).containsExactly("bad", "good");
        }
        Path rm = TinyModelFiles.classifier(dir.resolve("rm-raw"), 29, List.of("reward"), "{\"gain\": 3.0, \"bias\": 1.0}");
        bothPathsAgree(rm, "rm-raw", "--raw");
    }
}
