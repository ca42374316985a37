package org.jalign.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.feedback.FeedbackSampling;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredCompletion;
import org.jalign.feedback.StoredPrompt;
import org.jalign.feedback.StoredSet;
import org.jalign.lm.TinyCheckpoints;
import org.jalign.lm.TinyTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code feedback create} end to end on a tiny model with a real tokenizer. */
class FeedbackCommandCreateTest {

    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private Path model() throws IOException {
        Path model = TinyCheckpoints.write(dir.resolve("tiny-chat"),
                TinyTokenizer.llamaConfig(TinyTokenizer.BOS, List.of(TinyTokenizer.EOS), TinyTokenizer.PAD), 7);
        TinyTokenizer.write(model);
        Files.writeString(model.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<bos>\", \"eos_token\": \"<eos>\", \"pad_token\": \"<pad>\"}");
        return model;
    }

    private int create(Path model, Path db, String set) throws IOException {
        Path prompts = Files.writeString(dir.resolve("prompts.jsonl"), """
                {"prompt": "the cat sat", "prompt_id": "p1"}
                {"prompt": "a dog ran to"}
                {"prompt": "the big red", "prompt_id": "p3"}
                """);
        Path guide = Files.writeString(dir.resolve("guide.md"), "# Guide\nPrefer the answer that helps most.\n");
        return run("feedback", "create", "--model", model.toString(), "--prompts", prompts.toString(),
                "--completions-per-prompt", "3", "--criterion", "helpfulness", "--instructions", guide.toString(),
                "--db", db.toString(), "--set", set, "--overlap", "2", "--gold-rate", "0.1",
                "--max-new-tokens", "6", "--temperature", "0.8", "--top-k", "10", "--top-p", "0.95", "--seed", "11",
                "--batch-size", "2", "--quiet");
    }

    @Test
    void storesNCompletionsPerPromptWithTheModelIdAndSamplingSettings() throws IOException {
        Path model = model();
        Path db = dir.resolve("feedback.db");
        assertThat(create(model, db, "first")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("set \"first\" (helpfulness)", "3 prompts x 3 completions", "tiny-chat@sha256:");

        try (FeedbackStore store = FeedbackStore.open(db)) {
            StoredSet set = store.sets().get(0);
            assertThat(set.name()).isEqualTo("first");
            assertThat(set.criterion()).isEqualTo("HELPFULNESS");
            assertThat(set.overlap()).isEqualTo(2);
            assertThat(set.goldRate()).isEqualTo(0.1);
            assertThat(set.seed()).isEqualTo(11);
            assertThat(store.instructions(set.id(), 1).text()).startsWith("# Guide");

            List<StoredPrompt> prompts = store.prompts(set.id());
            assertThat(prompts).extracting(StoredPrompt::externalId)
                    .containsExactly("p1", FeedbackStore.derivedPromptId("a dog ran to"), "p3");
            assertThat(prompts).extracting(StoredPrompt::text).containsExactly("the cat sat", "a dog ran to", "the big red");
            for (StoredPrompt prompt : prompts) {
                assertThat(prompt.completions()).extracting(StoredCompletion::position).containsExactly(0, 1, 2);
                assertThat(prompt.isGold()).isFalse();
                for (StoredCompletion completion : prompt.completions()) {
                    assertThat(completion.modelId()).matches("tiny-chat@sha256:[0-9a-f]{12}");
                    // decoded without special tokens; at most 6 words of the tiny vocabulary
                    assertThat(completion.text()).doesNotContain("<eos>", "<bos>", "<pad>");
                    assertThat(completion.text().isEmpty() ? 0 : completion.text().split(" ").length).isLessThanOrEqualTo(6);
                    JsonObject sampling = JsonParser.parseString(completion.samplingJson()).getAsJsonObject();
                    assertThat(sampling.get("do_sample").getAsBoolean()).isTrue();
                    assertThat(sampling.get("max_new_tokens").getAsInt()).isEqualTo(6);
                    assertThat(sampling.get("temperature").getAsDouble()).isEqualTo(0.8);
                    assertThat(sampling.get("top_k").getAsInt()).isEqualTo(10);
                    assertThat(sampling.get("top_p").getAsDouble()).isEqualTo(0.95);
                    assertThat(sampling.get("num_return_sequences").getAsInt()).isEqualTo(3);
                    assertThat(sampling.get("seed").getAsLong()).isEqualTo(11);
                }
            }
            // sampled, not copies: a random tiny model at temperature 0.8 does not repeat itself on every prompt
            assertThat(prompts.stream().anyMatch(p -> p.completions().stream().map(StoredCompletion::text)
                    .distinct().count() > 1)).isTrue();
        }

        // same seed, same samples, whatever the set
        assertThat(create(model, db, "second")).as(err.toString()).isZero();
        try (FeedbackStore store = FeedbackStore.open(db)) {
            List<StoredSet> sets = store.sets();
            assertThat(sets).hasSize(2);
            List<String> first = store.prompts(sets.get(0).id()).stream()
                    .flatMap(p -> p.completions().stream()).map(StoredCompletion::text).toList();
            List<String> second = store.prompts(sets.get(1).id()).stream()
                    .flatMap(p -> p.completions().stream()).map(StoredCompletion::text).toList();
            assertThat(second).isEqualTo(first);
        }
    }

    @Test
    void aTakenSetNameFailsBeforeSampling() throws IOException {
        Path model = model();
        Path db = dir.resolve("feedback.db");
        assertThat(create(model, db, "same")).as(err.toString()).isZero();
        assertThat(create(model, db, "same")).isEqualTo(1);
        assertThat(err.toString()).contains("already has a feedback set \"same\"; name the new one with --set");
    }

    @Test
    void theModelIdChangesWithTheWeights() throws IOException {
        Path a = TinyCheckpoints.write(dir.resolve("a/model"), TinyCheckpoints.tinyLlama(), 1);
        Path b = TinyCheckpoints.write(dir.resolve("b/model"), TinyCheckpoints.tinyLlama(), 2);
        Path a2 = TinyCheckpoints.write(dir.resolve("c/model"), TinyCheckpoints.tinyLlama(), 1);
        String idA = FeedbackSampling.modelId(a);
        assertThat(idA).startsWith("model@sha256:");
        assertThat(FeedbackSampling.modelId(b)).isNotEqualTo(idA);
        assertThat(FeedbackSampling.modelId(a2)).isEqualTo(idA);
    }
}
