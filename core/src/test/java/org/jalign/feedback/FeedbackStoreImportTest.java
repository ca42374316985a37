package org.jalign.feedback;

import org.jalign.data.DataFormatException;
import org.jalign.data.JsonlReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeedbackStoreImportTest {
    @TempDir
    Path dir;

    private FeedbackStore store;
    private long setId;

    @BeforeEach
    void setUp() {
        store = FeedbackStore.open(dir.resolve("f.db"));
        setId = store.createSet(StoreFixtures.set("s", 2, 0, 5)).id();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private int importText(String text) throws Exception {
        Path file = dir.resolve("in.jsonl");
        Files.writeString(file, text);
        try (JsonlReader reader = JsonlReader.open(file)) {
            return store.importJsonl(setId, reader);
        }
    }

    /** Imports {@code text} and expects it refused at {@code line} with every piece of {@code message}. */
    private void refused(String text, int line, String... message) {
        assertThatThrownBy(() -> importText(text))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(dir.resolve("in.jsonl") + " line " + line + ": ")
                .hasMessageContainingAll(message)
                .satisfies(e -> assertThat(((DataFormatException) e).lineNumber()).isEqualTo(line));
        assertThat(store.prompts(setId)).as("nothing half-imported").isEmpty();
    }

    @Test
    void importsPromptsWithCompletionsModelsSamplingAndGold() throws Exception {
        int count = importText("""
                {"prompt": "2+2?", "completions": ["4", "5"], "model": "m1", "sampling": {"temperature": 0.7}}

                {"prompt_id": "q2", "prompt": "Capital of France?", "criterion": "Helpfulness",
                 "completions": [{"text": "Paris", "model": "m2"}, "Lyon", {"text": "<img src=x onerror=alert(1)>"}],
                 "gold_ranks": [1, 2, "flag"]}
                """.replace(",\n \"completions\"", ", \"completions\"").replace("\n \"gold", " \"gold"));
        assertThat(count).isEqualTo(2);
        List<StoredPrompt> prompts = store.prompts(setId);
        StoredPrompt first = prompts.get(0);
        assertThat(first.externalId()).isEqualTo(FeedbackStore.derivedPromptId("2+2?")).startsWith("sha256:");
        assertThat(first.completions()).extracting(StoredCompletion::text).containsExactly("4", "5");
        assertThat(first.completions()).allSatisfy(c -> {
            assertThat(c.modelId()).isEqualTo("m1");
            assertThat(c.samplingJson()).isEqualTo("{\"temperature\":0.7}");
        });
        assertThat(first.isGold()).isFalse();
        StoredPrompt second = prompts.get(1);
        assertThat(second.externalId()).isEqualTo("q2");
        assertThat(second.completions()).extracting(StoredCompletion::modelId).containsExactly("m2", null, null);
        assertThat(second.completions().get(2).text()).isEqualTo("<img src=x onerror=alert(1)>");
        List<Long> ids = second.completions().stream().map(StoredCompletion::id).toList();
        assertThat(second.goldRanking().ranks()).containsEntry(ids.get(0), 1).containsEntry(ids.get(1), 2);
        assertThat(second.goldRanking().flagged()).containsExactly(ids.get(2));
    }

    @Test
    void malformedLineIsNamed() {
        refused("""
                {"prompt": "a", "completions": ["x", "y"]}
                {"prompt": "b", "completions": ["x", "y"]
                """, 2, "not valid JSON");
    }

    @Test
    void duplicatePromptIdsAreNamedWithBothLines() {
        refused("""
                {"prompt_id": "p1", "prompt": "a", "completions": ["x", "y"]}
                {"prompt_id": "p2", "prompt": "b", "completions": ["x", "y"]}
                {"prompt_id": "p1", "prompt": "c", "completions": ["x", "y"]}
                """, 3, "field \"prompt_id\" \"p1\" repeats line 1");
        refused("""
                {"prompt": "same", "completions": ["x", "y"]}
                {"prompt": "same", "completions": ["x", "z"]}
                """, 2, "field \"prompt\" repeats the prompt of line 1");
    }

    @Test
    void aPromptIdAlreadyInTheSetIsNamed() throws Exception {
        importText("{\"prompt_id\": \"p1\", \"prompt\": \"a\", \"completions\": [\"x\", \"y\"]}\n");
        assertThatThrownBy(() -> importText("""
                {"prompt_id": "p0", "prompt": "a", "completions": ["x", "y"]}
                {"prompt_id": "p1", "prompt": "b", "completions": ["x", "y"]}
                """)).hasMessageStartingWith(dir.resolve("in.jsonl") + " line 2: ")
                .hasMessageContaining("prompt id \"p1\" is already in set \"s\"");
        assertThat(store.prompts(setId)).extracting(StoredPrompt::externalId).containsExactly("p1");
    }

    @Test
    void unknownOrForeignCriterionIsNamed() {
        refused("""
                {"prompt": "a", "completions": ["x", "y"]}
                {"prompt": "b", "completions": ["x", "y"], "criterion": "kindness"}
                """, 2, "field \"criterion\" is \"kindness\", not a known criterion",
                "expected one of helpfulness, harmlessness, honesty, custom");
        refused("{\"prompt\": \"b\", \"completions\": [\"x\", \"y\"], \"criterion\": \"honesty\"}\n", 1,
                "set \"s\" is judged on helpfulness");
    }

    @Test
    void missingAndWrongTypedFieldsAreNamed() {
        refused("{\"completions\": [\"x\", \"y\"]}\n", 1, "field \"prompt\" is missing", "expected a string");
        refused("{\"prompt\": 7, \"completions\": [\"x\", \"y\"]}\n", 1, "field \"prompt\" is the number 7");
        refused("{\"prompt\": \"a\"}\n", 1, "field \"completions\" is missing");
        refused("{\"prompt\": \"a\", \"completions\": \"x\"}\n", 1, "field \"completions\" is not an array");
        refused("{\"prompt\": \"a\", \"completions\": []}\n", 1, "field \"completions\" is empty",
                "1 completion (a thumbs-up/down item) or 2 or more to rank");
        refused("{\"prompt\": \"a\", \"completions\": [\"x\"], \"gold_ranks\": [1]}\n", 1,
                "has a gold ranking but only 1 completion");
        refused("{\"prompt\": \"a\", \"completions\": [\"x\", 3]}\n", 1, "field \"completions\" element 1 is the number 3");
        refused("{\"prompt\": \"a\", \"completions\": [\"x\", {\"txt\": \"y\"}]}\n", 1,
                "field \"completions\" element 1 has no \"text\"");
        refused("{\"prompt\": \"a\", \"prompt_id\": 12, \"completions\": [\"x\", \"y\"]}\n", 1,
                "field \"prompt_id\" is the number 12");
        refused("{\"prompt\": \"a\", \"completions\": [\"x\", \"y\"], \"sampling\": \"hot\"}\n", 1,
                "field \"sampling\" is a string");
        refused("{\"prompt\": \"a\", \"completions\": [\"x\", \"y\"], \"gold_ranks\": [1]}\n", 1,
                "field \"gold_ranks\"", "one per completion");
        refused("{\"prompt\": \"a\", \"completions\": [\"x\", \"y\"], \"gold_ranks\": [1, 3]}\n", 1,
                "field \"gold_ranks\" element 1 is the number 3");
        refused("[1, 2]\n", 1, "not an object");
    }
}
