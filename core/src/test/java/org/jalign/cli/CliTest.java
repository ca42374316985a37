package org.jalign.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line without a model: parsing, validation order, exit statuses and messages. */
class CliTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    /** A directory that passes the up-front check but holds no loadable model. */
    private Path stubModel;

    @BeforeEach
    void stubModel() throws IOException {
        stubModel = Files.createDirectory(dir.resolve("model"));
        Files.writeString(stubModel.resolve("config.json"), "{}");
    }

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private void assertOneLineError() {
        assertThat(err.toString()).doesNotContain("\tat ").doesNotContain("Exception:");
    }

    @Test
    void helpListsTheCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("generate", "logprobs", "bench", "demo");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"generate", "logprobs", "bench", "demo"}) {
            assertThat(run(command, "--help")).as(command).isZero();
        }
        assertThat(out.toString()).contains("--max-new-tokens", "--top-p", "--num-return-sequences", "prompt_ids");
    }

    @Test
    void versionPrints() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("jalign ");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: jalign");
    }

    @Test
    void missingRequiredOptionIsAUsageErrorNamingIt() {
        assertThat(run("generate", "--model", "m", "--input", "in.jsonl")).isEqualTo(2);
        assertThat(err.toString()).contains("--output").contains("jalign generate --help");
        assertOneLineError();
    }

    @Test
    void unknownOptionIsAUsageErrorNamingIt() {
        assertThat(run("logprobs", "--model", "m", "--input", "i", "--output", "o", "--bogus", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("--bogus");
    }

    @Test
    void badNumberIsAUsageErrorNamingTheOption() {
        assertThat(run("generate", "--model", "m", "--input", "i", "--output", "o", "--max-new-tokens", "lots"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--max-new-tokens").contains("lots");
    }

    @Test
    void outOfRangeValuesUseTheOptionName() {
        assertThat(run("generate", "--model", "m", "--input", "i", "--output", "o", "--top-p", "1.5")).isEqualTo(2);
        assertThat(err.toString()).contains("--top-p must be in (0, 1], got 1.5");
        assertOneLineError();
    }

    @Test
    void rangeMessagesAreRenamedToOptions() {
        assertThat(GenerationOptions.inOptionTerms("temperature must be > 0 (use greedy for argmax), got -1.0"))
                .isEqualTo("--temperature must be > 0 (use greedy for argmax), got -1.0");
        assertThat(GenerationOptions.inOptionTerms("something else")).isEqualTo("something else");
    }

    @Test
    void greedyWithSamplingOptionsIsAUsageError() {
        assertThat(run("generate", "--model", "m", "--input", "i", "--output", "o", "--greedy", "--temperature", "0.7"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--greedy cannot be combined with --temperature");
    }

    @Test
    void batchSizeMustBePositive() {
        assertThat(run("logprobs", "--model", "m", "--input", "i", "--output", "o", "--batch-size", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--batch-size must be >= 1, got 0");
    }

    @Test
    void missingModelDirectoryFailsNamingThePath() throws IOException {
        Path prompts = file("prompts.jsonl", "{\"prompt_ids\": [1]}\n");
        Path missing = dir.resolve("no-such-model");
        assertThat(run("generate", "--model", missing.toString(), "--input", prompts.toString(),
                "--output", dir.resolve("out.jsonl").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("model directory not found: " + missing);
        assertOneLineError();
    }

    @Test
    void missingInputFailsNamingThePath() {
        Path missing = dir.resolve("nope.jsonl");
        assertThat(run("logprobs", "--model", stubModel.toString(), "--input", missing.toString(),
                "--output", dir.resolve("out.jsonl").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("input file not found: " + missing);
    }

    @Test
    void malformedPromptLineIsNamedBeforeTheModelLoads() throws IOException {
        Path prompts = file("prompts.jsonl", "{\"prompt_ids\": [1]}\n{\"prompt\": \"ok\"}\n{\"prompt_ids\": [1, 2\n");
        assertThat(run("generate", "--model", stubModel.toString(), "--input", prompts.toString(),
                "--output", dir.resolve("out.jsonl").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("prompts.jsonl line 3: not valid JSON");
        assertOneLineError();
    }

    @Test
    void promptLineNeedsExactlyOneOfPromptAndPromptIds() throws IOException {
        Path prompts = file("prompts.jsonl", "{\"prompt_ids\": [1]}\n{\"text\": \"hi\"}\n");
        assertThat(run("generate", "--model", stubModel.toString(), "--input", prompts.toString(),
                "--output", dir.resolve("out.jsonl").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("prompts.jsonl line 2: neither \"prompt\" nor \"prompt_ids\" is set");

        Path both = file("both.jsonl", "{\"prompt\": \"a\", \"prompt_ids\": [1]}\n");
        assertThat(run("generate", "--model", stubModel.toString(), "--input", both.toString(), "--output", "-"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("both.jsonl line 1: both \"prompt\" and \"prompt_ids\" are set");
    }

    @Test
    void wrongTypedIdsAreNamed() throws IOException {
        Path prompts = file("p.jsonl", "{\"prompt_ids\": [1, 2.5]}\n");
        assertThat(run("generate", "--model", stubModel.toString(), "--input", prompts.toString(), "--output", "-"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("p.jsonl line 1: field \"prompt_ids\" element 1 is the number 2.5");

        Path negative = file("n.jsonl", "{\"input_ids\": [1, -2]}\n");
        assertThat(run("logprobs", "--model", stubModel.toString(), "--input", negative.toString(), "--output", "-"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("n.jsonl line 1: field \"input_ids\" element 1 is -2; expected token ids >= 0");
    }

    @Test
    void logprobsNeedsTwoTokens() throws IOException {
        Path seqs = file("seqs.jsonl", "{\"input_ids\": [1, 2]}\n\n{\"input_ids\": [7]}\n");
        assertThat(run("logprobs", "--model", stubModel.toString(), "--input", seqs.toString(), "--output", "-"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("seqs.jsonl line 3: field \"input_ids\" has 1 token; expected at least 2");
    }

    @Test
    void missingOutputDirectoryFailsBeforeTheModelLoads() throws IOException {
        Path seqs = file("seqs.jsonl", "{\"input_ids\": [1, 2]}\n");
        Path out = dir.resolve("missing/out.jsonl");
        assertThat(run("logprobs", "--model", stubModel.toString(), "--input", seqs.toString(), "--output", out.toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains(dir.resolve("missing").toString()).contains("output directory does not exist");
    }

    @Test
    void aFailedRunLeavesNoOutputAndNoTempFile() throws IOException {
        Path seqs = file("seqs.jsonl", "{\"input_ids\": [1, 2]}\n");
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Path output = outDir.resolve("scored.jsonl");
        // The stub's "{}" config.json cannot load, whatever stage the model code is at.
        assertThat(run("logprobs", "--model", stubModel.toString(), "--input", seqs.toString(),
                "--output", output.toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("jalign logprobs: ");
        try (Stream<Path> files = Files.list(outDir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void verboseAddsTheStackTrace() throws IOException {
        Path seqs = file("seqs.jsonl", "{\"input_ids\": [1, 2]}\n");
        assertThat(run("logprobs", "--verbose", "--model", stubModel.toString(), "--input", seqs.toString(),
                "--output", "-")).isEqualTo(1);
        assertThat(err.toString()).contains("\tat ");
    }

    @Test
    void emptyInputGivesEmptyOutputWithoutLoadingTheModel() throws IOException {
        Path prompts = file("empty.jsonl", "\n\n");
        Path output = dir.resolve("out.jsonl");
        assertThat(run("generate", "--model", stubModel.toString(), "--input", prompts.toString(),
                "--output", output.toString())).isZero();
        assertThat(output).isEmptyFile();
        assertThat(err.toString()).contains("warning: no prompts");
    }

    @Test
    void demoExplainsItself() {
        // the demo itself runs in DemoTest; here only its command line
        assertThat(run("demo", "--help")).isZero();
        assertThat(out.toString()).contains("--out", "--seed", "--quick", "--quiet", "reward model", "resumes");
    }

    @Test
    void benchWithoutABenchmarkIsAUsageError() {
        assertThat(run("bench")).isEqualTo(2);
        assertThat(err.toString()).contains("jalign bench");
    }

    @Test
    void benchGenerateTimesEachEngineAsked() {
        assertThat(run("bench", "generate", "--synthetic", "hidden=32,layers=1,heads=4,kv-heads=2,vocab=61",
                "--batch-size", "3", "--prompt-length", "4", "--new-tokens", "3", "--repeats", "1",
                "--engine", "java,djl", "--json")).as(err.toString()).isZero();
        String[] lines = out.toString().trim().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains("\"impl\":\"jalign-java\"", "\"batch\":3");
        assertThat(lines[1]).contains("\"impl\":\"jalign-djl\"", "\"batch\":3");
        assertThat(run("bench", "generate", "--synthetic", "hidden=32,layers=1,heads=4,vocab=61", "--engine", "cuda"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--engine must be auto, java or djl");
    }
}
