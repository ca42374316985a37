package org.jalign.eval;

import org.jalign.data.DataFormatException;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TinyCheckpoints;
import org.jalign.lm.TinyTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Prompts through the model's chat template or as BOS + tokens, against ids looked up by hand; bad lines named. */
class PromptEncodingTest {
    private static final int BOS = TinyTokenizer.BOS;

    private static Path model(Path dir, String chatTemplate) throws Exception {
        TinyCheckpoints.write(dir, TinyTokenizer.llamaConfig(BOS, List.of(TinyTokenizer.EOS), TinyTokenizer.PAD), 1);
        TinyTokenizer.write(dir);
        String template = chatTemplate == null ? "" : ", \"chat_template\": \"" + chatTemplate + "\"";
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<bos>\", \"eos_token\": \"<eos>\", \"pad_token\": \"<pad>\"" + template + "}");
        return dir;
    }

    private static int id(String word) {
        return TinyTokenizer.id(word);
    }

    @Test
    void textPromptsFollowTheChatTemplateWhenTheModelHasOne(@TempDir Path dir) throws Exception {
        // renders "<bos>" + content + " ." per message, then " the" as the generation prompt
        String template = "{{ bos_token }}{% for m in messages %}{{ m.content }} .{% endfor %}"
                + "{% if add_generation_prompt %} the{% endif %}";
        Path chat = model(dir.resolve("chat"), template);
        Path plain = model(dir.resolve("plain"), null);
        Files.writeString(dir.resolve("prompts.jsonl"), "{\"prompt\": \"cat sat\"}\n{\"prompt_ids\": [1, 9, 10]}\n");
        List<org.jalign.lm.PromptLine> lines = EvaluationPrompts.read(dir.resolve("prompts.jsonl"));
        try (LanguageModel m = LanguageModel.load(chat)) {
            List<PolicyEvaluation.EvaluationPrompt> auto = EvaluationPrompts.encode(lines, m, chat, PromptFormat.AUTO, 8);
            assertThat(auto.get(0).ids()).containsExactly(BOS, id("cat"), id("sat"), id("."), id("the"));
            assertThat(auto.get(0).text()).isEqualTo("cat sat");
            assertThat(auto.get(1).ids()).containsExactly(1, 9, 10);   // ids as given
            assertThat(EvaluationPrompts.encode(lines, m, chat, PromptFormat.PLAIN, 8).get(0).ids())
                    .containsExactly(BOS, id("cat"), id("sat"));
        }
        try (LanguageModel m = LanguageModel.load(plain)) {
            // no template of its own: AUTO is BOS + tokens, as generate and ppo encode text
            assertThat(EvaluationPrompts.encode(lines, m, plain, PromptFormat.AUTO, 8).get(0).ids())
                    .containsExactly(BOS, id("cat"), id("sat"));
        }
    }

    @Test
    void badPromptLinesAreNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prompts.jsonl");
        Files.writeString(file, "{\"prompt\": \"cat\"}\n\n{\"text\": \"cat\"}\n");
        assertThatThrownBy(() -> EvaluationPrompts.read(file)).isInstanceOf(DataFormatException.class)
                .hasMessage(file + " line 3: neither \"prompt\" nor \"prompt_ids\" is set; expected exactly one of "
                        + "{\"prompt\": \"text\"} or {\"prompt_ids\": [1, 2]}");
        Files.writeString(file, "{\"prompt_ids\": [1, 2.5]}\n");
        assertThatThrownBy(() -> EvaluationPrompts.read(file)).hasMessageStartingWith(file + " line 1: field \"prompt_ids\"");
        Files.writeString(file, "");
        assertThatThrownBy(() -> EvaluationPrompts.read(file)).hasMessageContaining("no prompts");
        assertThatThrownBy(() -> EvaluationPrompts.read(dir.resolve("none.jsonl"))).hasMessageContaining("prompts file not found");
        Path m = model(dir.resolve("m"), null);
        Files.writeString(file, "{\"prompt_ids\": [1, 2]}\n{\"prompt_ids\": [1, 99]}\n");
        try (LanguageModel model = LanguageModel.load(m)) {
            List<org.jalign.lm.PromptLine> lines = EvaluationPrompts.read(file);
            assertThatThrownBy(() -> EvaluationPrompts.encode(lines, model, m, PromptFormat.AUTO, 8))
                    .hasMessageContaining("line 2: field \"prompt_ids\" holds 99, outside the vocabulary [0, 20)");
            Files.writeString(file, "{\"prompt\": \"the cat sat on the mat\"}\n");
            List<org.jalign.lm.PromptLine> longer = EvaluationPrompts.read(file);
            int room = model.config().maxPositions() - 3;
            assertThatThrownBy(() -> EvaluationPrompts.encode(longer, model, m, PromptFormat.AUTO, room))
                    .hasMessageContaining("line 1: the prompt has 7 tokens; with --max-new-tokens " + room);
        }
    }
}
