package org.jalign.sft;

import org.jalign.data.ChatMessage;
import org.jalign.data.ChatTemplate;
import org.jalign.data.DataFormatException;
import org.jalign.data.JsonlReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jalign.sft.SftEncoderTest.row;

class SftDatasetTest {

    private static List<SftExample> read(String text) {
        return SftDataset.read(JsonlReader.of("train.jsonl", text));
    }

    private static void assertBadLine(String line3, String message) {
        String text = "{\"prompt\": \"hi\", \"completion\": \"hello\"}\n\n" + line3 + "\n";
        assertThatThrownBy(() -> read(text)).isInstanceOf(DataFormatException.class)
                .hasMessage("train.jsonl line 3: " + message);
    }

    @Test
    void readsBothFormatsAndIgnoresExtraFields() {
        List<SftExample> examples = read("""
                {"prompt": "what is two plus two ?", "completion": " four .", "id": 7}

                {"messages": [{"role": "system", "content": "be brief ."}, {"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
                """);
        assertThat(examples).containsExactly(
                new SftExample.PromptCompletion("what is two plus two ?", " four .", "train.jsonl", 1),
                new SftExample.Conversation(List.of(ChatMessage.system("be brief ."), ChatMessage.user("hi"),
                        ChatMessage.assistant("hello")), "train.jsonl", 3));
    }

    @Test
    void readsAFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("train.jsonl"), "{\"prompt\": \"a\", \"completion\": \"b\"}\n");
        assertThat(SftDataset.read(file)).containsExactly(new SftExample.PromptCompletion("a", "b", file.toString(), 1));
        Files.writeString(file, "{\"prompt\": \"a\", \"completion\": \"b\"}\n{\"prompt\": \"a\", \"completion\": 3}\n");
        assertThatThrownBy(() -> SftDataset.read(file))
                .hasMessage(file + " line 2: field \"completion\" is the number 3; expected a string");
    }

    @Test
    void malformedLinesNameFileLineAndField() {
        assertBadLine("{\"prompt\": \"hi\", ", "not valid JSON (End of input at column 18); expected one JSON object per line");
        assertBadLine("{\"prompt\": \"hi\"}", "field \"completion\" is missing; expected a string");
        assertBadLine("{\"prompt\": [\"hi\"], \"completion\": \"x\"}", "field \"prompt\" is an array [\"hi\"]; expected a string");
        assertBadLine("{\"text\": \"hi\"}", "the line has neither \"messages\" nor \"prompt\"/\"completion\"; "
                + "expected {\"prompt\": ..., \"completion\": ...} or {\"messages\": [...]}");
        assertBadLine("{\"messages\": [], \"prompt\": \"x\"}", "the line has both \"messages\" and \"prompt\"/\"completion\"; "
                + "expected one format: {\"prompt\": ..., \"completion\": ...} or {\"messages\": [...]}");
    }

    @Test
    void malformedConversationsNameTheMessageField() {
        assertBadLine("{\"messages\": []}", "field \"messages\" is empty; expected an array of {\"role\", \"content\"} "
                + "objects ending with the assistant's reply");
        assertBadLine("{\"messages\": \"hi\"}", "field \"messages\" is a string \"hi\"; expected an array of "
                + "{\"role\", \"content\"} objects");
        assertBadLine("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"tool\", \"content\": \"x\"}]}",
                "field \"messages[1].role\" is \"tool\"; expected one of system, user, assistant");
        assertBadLine("{\"messages\": [{\"role\": \"user\"}, {\"role\": \"assistant\", \"content\": \"x\"}]}",
                "field \"messages[0].content\" is missing; expected a string");
        assertBadLine("{\"messages\": [{\"role\": \"user\", \"content\": null}]}",
                "field \"messages[0].content\" is null; expected a string");
        assertBadLine("{\"messages\": [{\"content\": \"hi\"}]}", "field \"messages[0].role\" is missing; expected a string");
        assertBadLine("{\"messages\": [{\"role\": \"user\", \"content\": 5}]}",
                "field \"messages[0].content\" is the number 5; expected a string");
        assertBadLine("{\"messages\": [\"hi\"]}", "field \"messages[0]\" is a string \"hi\"; expected an object {\"role\", \"content\"}");
        assertBadLine("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}",
                "field \"messages[0].role\" is \"user\" in the last message; "
                        + "expected \"assistant\": training needs the conversation to end with the reply");
    }

    private static List<SftExample> numbered(int n) {
        List<SftExample> examples = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            examples.add(new SftExample.PromptCompletion("two", "four", "train.jsonl", i));
        }
        return examples;
    }

    private static Set<Integer> lines(List<SftExample> examples) {
        Set<Integer> lines = new HashSet<>();
        examples.forEach(e -> lines.add(e.lineNumber()));
        return lines;
    }

    @Test
    void splitIsDeterministicDisjointAndInFileOrder() {
        List<SftExample> examples = numbered(100);
        SftDataset.Split split = SftDataset.split(examples, 0.1, 42);
        assertThat(split.eval()).hasSize(10);
        assertThat(split.train()).hasSize(90);
        Set<Integer> eval = lines(split.eval());
        Set<Integer> train = lines(split.train());
        assertThat(eval).doesNotContainAnyElementsOf(train);
        Set<Integer> all = new HashSet<>(eval);
        all.addAll(train);
        assertThat(all).hasSize(100);
        assertThat(split.eval()).isSortedAccordingTo((a, b) -> a.lineNumber() - b.lineNumber());
        assertThat(split.train()).isSortedAccordingTo((a, b) -> a.lineNumber() - b.lineNumber());

        assertThat(SftDataset.split(examples, 0.1, 42)).isEqualTo(split);
        assertThat(lines(SftDataset.split(examples, 0.1, 43).eval())).isNotEqualTo(eval);
    }

    @Test
    void splitEdgeCases() {
        assertThat(SftDataset.split(numbered(5), 0.0, 1).eval()).isEmpty();
        assertThat(SftDataset.split(numbered(5), 0.01, 1).eval()).hasSize(1); // asked for eval: at least one
        assertThat(SftDataset.split(numbered(2), 0.9, 1).train()).hasSize(1); // training keeps one
        assertThat(SftDataset.split(numbered(1), 0.5, 1).train()).hasSize(1);
        assertThat(SftDataset.split(List.of(), 0.5, 1).eval()).isEmpty();
        assertThatThrownBy(() -> SftDataset.split(numbered(5), 1.0, 1)).hasMessageContaining("[0, 1)");
    }

    @Test
    void prepareTruncatesDropsCountsAndPacks() {
        SftEncoder encoder = new SftEncoder(new WordTokenizer(), ChatTemplate.plain("<s>", "</s>"), WordTokenizer.BOS, WordTokenizer.EOS);
        List<SftExample> examples = List.of(
                new SftExample.PromptCompletion("what is two plus two ?", "four .", "t", 1), // 10 tokens: truncated to 6
                new SftExample.PromptCompletion("two", "four", "t", 2),                      // 4 tokens
                new SftExample.PromptCompletion("hi", "what is two plus two", "t", 3),       // 8 tokens: reply too long
                new SftExample.PromptCompletion("", "", "t", 4));                            // <s> </s>: kept, EOS is a target
        SftDataOptions options = SftDataOptions.defaults().withMaxLength(6).withEvalFraction(0);
        SftDataset.Prepared prepared = SftDataset.prepare(examples, encoder, options);
        assertThat(prepared.counts()).isEqualTo(new SftDataset.Counts(4, 1, 1, 0));
        assertThat(prepared.eval()).isEmpty();
        assertThat(prepared.train()).containsExactly(
                row("<s>", "two", "?", "four*", ".*", "</s>*"),
                row("<s>", "two", "four*", "</s>*"),
                row("<s>", "</s>*"));

        SftDataset.Prepared packed = SftDataset.prepare(examples, encoder, options.withPacking(true));
        assertThat(packed.train()).containsExactly(
                row("<s>", "two", "?", "four*", ".*", "</s>*"),
                row("<s>", "two", "four*", "</s>*", "<s>", "</s>*"));
        assertThat(SftRow.batch(packed.train()).targetCount()).isEqualTo(SftRow.batch(prepared.train()).targetCount());
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> SftDataOptions.defaults().withMaxLength(1))
                .hasMessage("sft.maxLength must be at least 2 (a token and one to predict), got 1");
        assertThatThrownBy(() -> SftDataOptions.defaults().withEvalFraction(-0.1))
                .hasMessage("sft.evalFraction must be in [0, 1), got -0.1");
        assertThat(SftDataOptions.defaults()).isEqualTo(new SftDataOptions(1024, false, 0.1, 42));
    }
}
