package org.jalign.constitution;

import org.jalign.data.ChatMessage;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Both conversation formats against strings and ids worked out by hand. */
class ConversationFormatTest {
    private static final List<ChatMessage> CONVERSATION = List.of(ChatMessage.user("the cat sat"),
            ChatMessage.assistant("a dog ran"), ChatMessage.user("Criticise it ."));

    private static int[] ids(String... words) {
        int[] out = new int[words.length];
        for (int i = 0; i < words.length; i++) {
            out[i] = ConstitutionFixtures.id(words[i]);
        }
        return out;
    }

    @Test
    void withoutATemplateTheHumanAssistantFormatIsUsed(@TempDir Path dir) throws Exception {
        Path modelDir = ConstitutionFixtures.model(dir.resolve("m"), 1);
        try (LanguageModel model = LanguageModel.load(modelDir)) {
            ConversationFormat format = ConversationFormat.forModel(model, modelDir);
            assertThat(format).isInstanceOf(ConversationFormat.HumanAssistant.class);
            assertThat(format.render(CONVERSATION, ""))
                    .isEqualTo("Human: the cat sat\n\nAssistant: a dog ran\n\nHuman: Criticise it .\n\nAssistant:");
            assertThat(format.render(List.of(ChatMessage.user("the cat")), JudgePrompt.ANSWER_PREFIX))
                    .isEqualTo("Human: the cat\n\nAssistant: The answer is: (");
            assertThat(format.encode(CONVERSATION, "")).containsExactly(ids("<bos>", "Human", ":", "the", "cat", "sat",
                    "Assistant", ":", "a", "dog", "ran", "Human", ":", "Criticise", "it", ".", "Assistant", ":"));
            assertThat(format.encode(List.of(ChatMessage.user("the cat")), JudgePrompt.ANSWER_PREFIX)).containsExactly(
                    ids("<bos>", "Human", ":", "the", "cat", "Assistant", ":", "The", "answer", "is", ":", "("));
        }
    }

    @Test
    void aChatTemplateRendersTheTurnsAndItsSpecialTokensBecomeTheirIds(@TempDir Path dir) throws Exception {
        Path modelDir = ConstitutionFixtures.chatModel(dir.resolve("m"), 1);
        try (LanguageModel model = LanguageModel.load(modelDir)) {
            ConversationFormat format = ConversationFormat.forModel(model, modelDir);
            assertThat(format).isInstanceOf(ConversationFormat.ChatTemplated.class);
            assertThat(format.render(CONVERSATION, "")).isEqualTo("<bos><|user|> the cat sat <eos><|assistant|> a dog ran <eos>"
                    + "<|user|> Criticise it . <eos><|assistant|> ");
            assertThat(format.encode(CONVERSATION, "")).containsExactly(ids("<bos>", "<|user|>", "the", "cat", "sat", "<eos>",
                    "<|assistant|>", "a", "dog", "ran", "<eos>", "<|user|>", "Criticise", "it", ".", "<eos>", "<|assistant|>"));
            assertThat(format.encode(List.of(ChatMessage.user("dog")), JudgePrompt.ANSWER_PREFIX)).containsExactly(
                    ids("<bos>", "<|user|>", "dog", "<eos>", "<|assistant|>", "The", "answer", "is", ":", "("));
            // generated text: special tokens dropped, trimmed
            assertThat(format.completionText(ids("good", "dog", "<eos>"))).isEqualTo("good dog");
        }
    }

    @Test
    void aBaseModelsTurnIsCutWhereItStartsTheNextHumanTurn() {
        // a tokenizer whose ids are indices into a list of strings, decoded by concatenation (as BPE decodes)
        List<String> pieces = List.of(" Sure", ",", " here", ".\n\n", "Human:", " more");
        TextTokenizer tokenizer = new TextTokenizer() {
            @Override
            public int[] encode(String text) {
                return new int[0];
            }

            @Override
            public String decode(int[] ids, boolean skipSpecialTokens) {
                StringBuilder s = new StringBuilder();
                for (int id : ids) {
                    s.append(pieces.get(id));
                }
                return s.toString();
            }
        };
        ConversationFormat format = new ConversationFormat.HumanAssistant(tokenizer, -1);
        assertThat(format.completionText(new int[] {0, 1, 2, 3, 4, 5})).isEqualTo("Sure, here.");
        assertThat(format.completionText(new int[] {0, 2})).isEqualTo("Sure here");
        List<Integer> none = new ArrayList<>();
        assertThat(format.completionText(none.stream().mapToInt(i -> i).toArray())).isEmpty();
    }
}
