package org.jalign.lm;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.data.DataFormatException;
import org.jalign.data.JsonlReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jalign.lm.TinyTokenizer.BOS;
import static org.jalign.lm.TinyTokenizer.EOS;
import static org.jalign.lm.TinyTokenizer.PAD;
import static org.jalign.lm.TinyTokenizer.id;

/** generate's prompt line: what is accepted, what is refused (naming file, line and field), and the line it becomes. */
class PromptLineTest {

    private static JsonlReader.Line line(String json) {
        return new JsonlReader.Line("prompts.jsonl", 3, JsonParser.parseString(json).getAsJsonObject());
    }

    @Test
    void readsTextOrIds() {
        PromptLine text = PromptLine.parse(line("{\"prompt\": \"the cat\", \"id\": 7}"));
        assertThat(text.text()).isEqualTo("the cat");
        assertThat(text.ids()).isNull();
        PromptLine ids = PromptLine.parse(line("{\"prompt_ids\": [4, 5]}"));
        assertThat(ids.text()).isNull();
        assertThat(ids.ids()).containsExactly(4, 5);
    }

    @Test
    void refusesBothNeitherAndBadIds() {
        assertThatThrownBy(() -> PromptLine.parse(line("{\"prompt\": \"a\", \"prompt_ids\": [1]}")))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("prompts.jsonl line 3: both \"prompt\" and \"prompt_ids\" are set; "
                        + "expected exactly one of {\"prompt\": \"text\"} or {\"prompt_ids\": [1, 2]}");
        assertThatThrownBy(() -> PromptLine.parse(line("{\"text\": \"a\"}")))
                .hasMessageContaining("neither \"prompt\" nor \"prompt_ids\" is set");
        assertThatThrownBy(() -> PromptLine.parse(line("{\"prompt_ids\": []}")))
                .hasMessageContaining("field \"prompt_ids\" has 0 tokens; expected at least 1 (generation continues a prompt)");
        assertThatThrownBy(() -> PromptLine.parse(line("{\"prompt_ids\": [4, -1]}")))
                .hasMessageContaining("field \"prompt_ids\" element 1 is -1; expected token ids >= 0");
        // wrong types: a number for text, a string for ids, a float id
        assertThatThrownBy(() -> PromptLine.parse(line("{\"prompt\": 5}"))).hasMessageContaining("field \"prompt\" is");
        assertThatThrownBy(() -> PromptLine.parse(line("{\"prompt_ids\": \"4 5\"}")))
                .hasMessageContaining("field \"prompt_ids\" is");
        assertThatThrownBy(() -> PromptLine.parse(line("{\"prompt_ids\": [4.0]}")))
                .hasMessageContaining("field \"prompt_ids\" element 0 is");
    }

    @Test
    void idsAreUsedAsGivenAndMustFitTheModel() {
        ModelConfig config = TinyModels.config(Architecture.GPT2);
        try (LanguageModel model = TinyModels.create(config, 1)) {
            assertThat(PromptLine.parse(line("{\"prompt_ids\": [4, 5]}")).promptIds(model, "m", 2)).containsExactly(4, 5);
            int vocab = config.vocabSize();
            assertThatThrownBy(() -> PromptLine.parse(line("{\"prompt_ids\": [4, " + vocab + "]}")).promptIds(model, "m", 2))
                    .hasMessageContaining("field \"prompt_ids\" element 1 is " + vocab + "; expected token ids < the model's vocab_size " + vocab);
            // GPT-2's positions hold the prompt and the new tokens
            int positions = config.maxPositions();
            assertThatThrownBy(() -> PromptLine.parse(line("{\"prompt_ids\": [4, 5]}")).promptIds(model, "m", positions - 1))
                    .hasMessageContaining("2 tokens + " + (positions - 1) + " new tokens exceed the model's n_positions");
            assertThatThrownBy(() -> PromptLine.parse(line("{\"prompt\": \"the cat\"}")).promptIds(model, "models/m", 2))
                    .hasMessageContaining("field \"prompt\" is text, but models/m has no tokenizer.json; "
                            + "expected \"prompt_ids\" (token ids) for this model");
        }
    }

    @Test
    void textIsEncodedWithBosPrependedOnce(@TempDir Path dir) throws IOException {
        TinyCheckpoints.write(TinyTokenizer.write(dir), TinyTokenizer.llamaConfig(BOS, List.of(EOS), PAD), 1);
        try (LanguageModel model = LanguageModel.load(dir)) {
            assertThat(PromptLine.parse(line("{\"prompt\": \"the cat\"}")).promptIds(model, dir.toString(), 2))
                    .containsExactly(BOS, id("the"), id("cat"));
            assertThat(PromptLine.parse(line("{\"prompt\": \"<bos>the cat\"}")).promptIds(model, dir.toString(), 2))
                    .containsExactly(BOS, id("the"), id("cat"));
        }
    }

    @Test
    void completionLineHasTheOutputFieldsFirstThenTheInputsOthers() {
        PromptLine prompt = PromptLine.parse(line("{\"id\": \"q1\", \"prompt_ids\": [4, 5], \"sample_index\": 9, \"meta\": {\"a\": [1]}}"));
        GeneratedSequence sequence = new GeneratedSequence(0, 1, new int[] {4, 5}, new int[] {6, 2}, true);
        JsonObject out = prompt.completionLine(new int[] {4, 5}, sequence, Optional.empty());
        // the input's sample_index is the output's own field, not copied over it
        assertThat(out.toString()).isEqualTo("{\"prompt_ids\":[4,5],\"completion_ids\":[6,2],\"sample_index\":1,"
                + "\"finish_reason\":\"eos\",\"id\":\"q1\",\"meta\":{\"a\":[1]}}");
        GeneratedSequence cut = new GeneratedSequence(0, 0, new int[] {4, 5}, new int[] {6}, false);
        assertThat(prompt.completionLine(new int[] {4, 5}, cut, Optional.empty()).get("finish_reason").getAsString())
                .isEqualTo("length");
        // the copied fields are copies: changing the output leaves the input line alone
        out.getAsJsonObject("meta").addProperty("b", 2);
        assertThat(prompt.line().object().getAsJsonObject("meta").has("b")).isFalse();
    }

    @Test
    void exactlyOneOfTextAndIds() {
        assertThatThrownBy(() -> new PromptLine(line("{}"), null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PromptLine(line("{}"), "a", new int[] {1})).isInstanceOf(IllegalArgumentException.class);
    }
}
