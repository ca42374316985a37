package org.jalign.cli;

import org.jalign.feedback.FeedbackStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input to {@code feedback import} and {@code feedback create}: one-line errors naming the
 * file, line and field, usage errors for bad options, and nothing left behind in the database.
 * {@code create} checks its prompts before it loads the model, so a stub model directory suffices.
 */
class FeedbackCommandInputTest {

    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();
    private Path db;
    private Path guide;
    private Path stubModel;

    @BeforeEach
    void files() throws IOException {
        db = dir.resolve("feedback.db");
        guide = Files.writeString(dir.resolve("guide.md"), "Rank by helpfulness.");
        stubModel = Files.createDirectory(dir.resolve("model"));
        Files.writeString(stubModel.resolve("config.json"), "{}");
    }

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private int importFile(String name, String text, String... extra) throws IOException {
        Path file = Files.writeString(dir.resolve(name), text);
        String[] base = {"feedback", "import", "--db", db.toString(), "--input", file.toString(),
            "--criterion", "helpfulness", "--instructions", guide.toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return run(args);
    }

    private int create(String prompts, String... extra) throws IOException {
        Path file = Files.writeString(dir.resolve("prompts.jsonl"), prompts);
        List<String> args = new ArrayList<>(List.of("feedback", "create", "--model", stubModel.toString(),
                "--prompts", file.toString(), "--instructions", guide.toString(), "--db", db.toString()));
        args.addAll(List.of(extra));
        // defaults for the required options the test does not set itself
        if (!args.contains("--completions-per-prompt")) {
            args.addAll(List.of("--completions-per-prompt", "2"));
        }
        if (!args.contains("--criterion")) {
            args.addAll(List.of("--criterion", "helpfulness"));
        }
        return run(args.toArray(String[]::new));
    }

    private void assertOneLineErrorAndNoSet() {
        assertThat(err.toString().strip().lines()).hasSize(1);
        assertThat(err.toString()).doesNotContain("\tat ").doesNotContain("Exception:");
        if (Files.exists(db)) {
            try (FeedbackStore store = FeedbackStore.open(db)) {
                assertThat(store.sets()).as("a failed import or create leaves no set behind").isEmpty();
            }
        }
    }

    @Test
    void importMalformedLineNamesFileAndLine() throws IOException {
        assertThat(importFile("bad.jsonl", "{\"prompt\": \"Q\", \"completions\": [\"a\", \"b\"]}\n{\"prompt\": \n"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("bad.jsonl", "line 2");
        assertOneLineErrorAndNoSet();
    }

    @Test
    void importWrongTypedFieldNamesTheField() throws IOException {
        assertThat(importFile("bad.jsonl", "{\"prompt\": \"Q\", \"completions\": \"a, b\"}\n")).isEqualTo(1);
        assertThat(err.toString()).contains("bad.jsonl", "line 1", "field \"completions\" is not an array");
        assertOneLineErrorAndNoSet();
    }

    @Test
    void importTooFewCompletionsNamesTheField() throws IOException {
        assertThat(importFile("bad.jsonl", "{\"prompt\": \"Q\", \"completions\": []}\n")).isEqualTo(1);
        assertThat(err.toString()).contains("line 1", "field \"completions\" is empty");
        assertOneLineErrorAndNoSet();
    }

    @Test
    void importDuplicatePromptIdNamesBothLines() throws IOException {
        assertThat(importFile("dup.jsonl", """
                {"prompt": "Q1", "prompt_id": "p", "completions": ["a", "b"]}
                {"prompt": "Q2", "prompt_id": "x", "completions": ["a", "b"]}
                {"prompt": "Q3", "prompt_id": "p", "completions": ["a", "b"]}
                """)).isEqualTo(1);
        assertThat(err.toString()).contains("dup.jsonl", "line 3", "\"prompt_id\" \"p\" repeats line 1");
        assertOneLineErrorAndNoSet();
    }

    @Test
    void importLineWithAnotherCriterionIsRefused() throws IOException {
        assertThat(importFile("mixed.jsonl",
                "{\"prompt\": \"Q\", \"completions\": [\"a\", \"b\"], \"criterion\": \"honesty\"}\n")).isEqualTo(1);
        assertThat(err.toString()).contains("line 1", "field \"criterion\" is \"honesty\"");
        assertOneLineErrorAndNoSet();
    }

    @Test
    void importEmptyFileIsAnError() throws IOException {
        assertThat(importFile("empty.jsonl", "")).isEqualTo(1);
        assertThat(err.toString()).contains("empty.jsonl holds no prompts");
        assertOneLineErrorAndNoSet();
    }

    @Test
    void unknownCriterionIsAUsageError() throws IOException {
        Path file = Files.writeString(dir.resolve("ok.jsonl"), "{\"prompt\": \"Q\", \"completions\": [\"a\", \"b\"]}\n");
        assertThat(run("feedback", "import", "--db", db.toString(), "--input", file.toString(),
                "--criterion", "wit", "--instructions", guide.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("unknown --criterion \"wit\"; expected one of helpfulness, harmlessness, "
                + "honesty, custom");
        assertThat(db).doesNotExist();
    }

    @Test
    void customCriterionNeedsItsText() throws IOException {
        Path file = Files.writeString(dir.resolve("ok.jsonl"), "{\"prompt\": \"Q\", \"completions\": [\"a\", \"b\"]}\n");
        assertThat(run("feedback", "import", "--db", db.toString(), "--input", file.toString(),
                "--criterion", "custom", "--instructions", guide.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--criterion custom needs --criterion-text");
        assertThat(run("feedback", "import", "--db", db.toString(), "--input", file.toString(),
                "--criterion", "custom", "--criterion-text", "Which answer is funnier?",
                "--instructions", guide.toString())).as(err.toString()).isZero();
        try (FeedbackStore store = FeedbackStore.open(db)) {
            assertThat(store.sets().get(0).criterionText()).isEqualTo("Which answer is funnier?");
            assertThat(store.instructions(store.sets().get(0).id(), 1).text()).isEqualTo("Rank by helpfulness.");
        }
    }

    @Test
    void badOverlapAndGoldRateAreUsageErrors() throws IOException {
        String ok = "{\"prompt\": \"Q\", \"completions\": [\"a\", \"b\"]}\n";
        assertThat(importFile("ok.jsonl", ok, "--overlap", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--overlap must be 1 or more, got 0");
        assertThat(importFile("ok.jsonl", ok, "--gold-rate", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("--gold-rate must be in [0, 1), got 1.0");
    }

    @Test
    void missingInstructionsFileFails() throws IOException {
        Path file = Files.writeString(dir.resolve("ok.jsonl"), "{\"prompt\": \"Q\", \"completions\": [\"a\", \"b\"]}\n");
        assertThat(run("feedback", "import", "--db", db.toString(), "--input", file.toString(),
                "--criterion", "honesty", "--instructions", dir.resolve("nope.md").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("instructions file not found");
    }

    @Test
    void importingTheSameSetNameTwiceIsRefused() throws IOException {
        String ok = "{\"prompt\": \"Q\", \"completions\": [\"a\", \"b\"]}\n";
        assertThat(importFile("ok.jsonl", ok)).isZero();
        assertThat(importFile("ok.jsonl", ok)).isEqualTo(1);
        assertThat(err.toString()).contains("a feedback set named \"ok\" already exists");
    }

    @Test
    void createMissingPromptFieldNamesFileLineAndFieldBeforeLoadingTheModel() throws IOException {
        assertThat(create("{\"prompt\": \"the cat\"}\n{\"text\": \"a dog\"}\n")).isEqualTo(1);
        assertThat(err.toString()).contains("prompts.jsonl", "line 2", "\"prompt\"");
        assertOneLineErrorAndNoSet();
    }

    @Test
    void createDuplicatePromptIdsFail() throws IOException {
        assertThat(create("{\"prompt\": \"the cat\", \"prompt_id\": \"a\"}\n{\"prompt\": \"a dog\", \"prompt_id\": \"a\"}\n"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("line 2", "\"prompt_id\" \"a\" repeats line 1");
        assertThat(create("{\"prompt\": \"the cat\"}\n{\"prompt\": \"the cat\"}\n")).isEqualTo(1);
        assertThat(err.toString()).contains("line 2", "repeats the prompt of line 1");
    }

    @Test
    void createOptionsAreCheckedFirst() throws IOException {
        assertThat(create("{\"prompt\": \"the cat\"}\n", "--completions-per-prompt", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--completions-per-prompt must be >= 1");
        assertThat(create("{\"prompt\": \"the cat\"}\n", "--top-p", "1.5")).isEqualTo(2);
        assertThat(err.toString()).contains("--top-p must be in (0, 1], got 1.5");
        assertThat(create("{\"prompt\": \"the cat\"}\n", "--criterion", "wit")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown --criterion \"wit\"");
    }
}
