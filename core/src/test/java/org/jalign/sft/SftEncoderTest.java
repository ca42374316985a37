package org.jalign.sft;

import org.jalign.data.ChatMessage;
import org.jalign.data.ChatTemplate;
import org.jalign.data.DataFormatException;
import org.jalign.lm.HfTokenizer;
import org.jalign.lm.TinyTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Target masks on {@link WordTokenizer}, checked token by token against rows worked out by hand. */
class SftEncoderTest {

    /** Llama-2's turn shape without the system handling: BOS opens each user turn, EOS closes each reply. */
    static final String INST = "{% for m in messages %}{% if m.role == 'user' %}"
            + "{{ bos_token + '[INST] ' + m.content + ' [/INST]' }}"
            + "{% else %}{{ ' ' + m.content + ' ' + eos_token }}{% endif %}{% endfor %}";

    private static final WordTokenizer TOKENIZER = new WordTokenizer();
    private static final SftEncoder PLAIN = new SftEncoder(TOKENIZER, ChatTemplate.plain("<s>", "</s>"),
            WordTokenizer.BOS, WordTokenizer.EOS);

    /** A row from words; a trailing {@code *} marks a target. */
    static SftRow row(String... words) {
        int[] tokens = new int[words.length];
        boolean[] targets = new boolean[words.length];
        for (int i = 0; i < words.length; i++) {
            targets[i] = words[i].length() > 1 && words[i].endsWith("*");
            tokens[i] = WordTokenizer.id(targets[i] ? words[i].substring(0, words[i].length() - 1) : words[i]);
        }
        return new SftRow(tokens, targets);
    }

    private static SftExample.PromptCompletion pc(String prompt, String completion) {
        return new SftExample.PromptCompletion(prompt, completion, "train.jsonl", 1);
    }

    private static SftExample.Conversation conversation(ChatMessage... messages) {
        return new SftExample.Conversation(List.of(messages), "train.jsonl", 4);
    }

    @Test
    void promptCompletionTargetsTheCompletionAndEos() {
        assertThat(PLAIN.encode(pc("what is two plus two ?", "four ."))).isEqualTo(
                row("<s>", "what", "is", "two", "plus", "two", "?", "four*", ".*", "</s>*"));
    }

    @Test
    void withoutBosTheFirstPromptTokenStartsTheRow() {
        SftEncoder noBos = new SftEncoder(TOKENIZER, ChatTemplate.plain("", "</s>"), -1, WordTokenizer.EOS);
        assertThat(noBos.encode(pc("two plus two ?", "four"))).isEqualTo(row("two", "plus", "two", "?", "four*", "</s>*"));
        // an empty prompt: the first completion token has nothing before it, so it cannot be a target
        assertThat(noBos.encode(pc("", "four ."))).isEqualTo(row("four", ".*", "</s>*"));
        assertThat(PLAIN.encode(pc("hi", ""))).isEqualTo(row("<s>", "hi", "</s>*"));
    }

    @Test
    void plainTemplateTargetsEveryAssistantTurnThroughItsEos() {
        SftRow r = PLAIN.encode(conversation(ChatMessage.system("be brief ."), ChatMessage.user("hi"),
                ChatMessage.assistant("hello"), ChatMessage.user("more ?"), ChatMessage.assistant("sure .")));
        // <s><|system|>\nbe brief .\n<|user|>\nhi\n<|assistant|>\nhello</s><|user|>\nmore ?\n<|assistant|>\nsure .</s>
        assertThat(r).isEqualTo(row("<s>", "<|system|>", "\n", "be", "brief", ".", "\n",
                "<|user|>", "\n", "hi", "\n", "<|assistant|>", "\n", "hello*", "</s>*",
                "<|user|>", "\n", "more", "?", "\n", "<|assistant|>", "\n", "sure*", ".*", "</s>*"));
    }

    @Test
    void templateBosAndEosStringsBecomeTheirIds() {
        SftEncoder inst = new SftEncoder(TOKENIZER, ChatTemplate.parse(INST, "<s>", "</s>"), WordTokenizer.BOS, WordTokenizer.EOS);
        SftRow r = inst.encode(conversation(ChatMessage.user("hi"), ChatMessage.assistant("hello"),
                ChatMessage.user("more ?"), ChatMessage.assistant("sure .")));
        // <s>[INST] hi [/INST] hello </s><s>[INST] more ? [/INST] sure . </s>
        assertThat(r).isEqualTo(row("<s>", "[", "INST", "]", "hi", "[", "/", "INST", "]", "hello*", "</s>*",
                "<s>", "[", "INST", "]", "more", "?", "[", "/", "INST", "]", "sure*", ".*", "</s>*"));
        // the tokenizer alone would have split the markers into pieces
        assertThat(TOKENIZER.encode("</s>")).containsExactly(WordTokenizer.id("<"), WordTokenizer.id("/"),
                WordTokenizer.id("s"), WordTokenizer.id(">"));
    }

    @Test
    void aTemplateErrorNamesTheExamplesLine() {
        String template = "{% if messages[0].role == 'system' %}{{ raise_exception('no system role') }}{% endif %}" + INST;
        SftEncoder encoder = new SftEncoder(TOKENIZER, ChatTemplate.parse(template, "<s>", "</s>"), WordTokenizer.BOS, WordTokenizer.EOS);
        assertThatThrownBy(() -> encoder.encode(conversation(ChatMessage.system("be brief ."), ChatMessage.assistant("hi"))))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("train.jsonl line 4: chat template, offset 40: the template raised an error: no system role; "
                        + "expected a conversation the model's chat template accepts");
    }

    @Test
    void anEosIdIsRequired() {
        assertThatThrownBy(() -> new SftEncoder(TOKENIZER, ChatTemplate.plain("", ""), -1, -1))
                .hasMessageContaining("SFT needs an EOS id");
    }

    @Test
    void withARealTokenizerJson(@TempDir Path dir) throws IOException {
        // the hand-written HF tokenizer.json of the lm tests, through DJL's tokenizers binding
        try (HfTokenizer tokenizer = HfTokenizer.load(TinyTokenizer.write(dir))) {
            SftEncoder encoder = new SftEncoder(tokenizer, ChatTemplate.plain("<bos>", "<eos>"), TinyTokenizer.BOS, TinyTokenizer.EOS);
            SftRow r = encoder.encode(pc("the cat sat", "on the mat ."));
            assertThat(r.tokens()).containsExactly(TinyTokenizer.BOS, TinyTokenizer.id("the"), TinyTokenizer.id("cat"),
                    TinyTokenizer.id("sat"), TinyTokenizer.id("on"), TinyTokenizer.id("the"), TinyTokenizer.id("mat"),
                    TinyTokenizer.id("."), TinyTokenizer.EOS);
            assertThat(r.targets()).containsExactly(false, false, false, false, true, true, true, true, true);

            SftRow c = encoder.encode(conversation(ChatMessage.user("the dog ran"), ChatMessage.assistant("to the park !")));
            // <bos><|user|>\nthe dog ran\n<|assistant|>\nto the park !<eos>: the role tags are unknown words here
            int[] tokens = c.tokens();
            boolean[] targets = c.targets();
            assertThat(tokens[0]).isEqualTo(TinyTokenizer.BOS);
            assertThat(tokens[tokens.length - 1]).isEqualTo(TinyTokenizer.EOS);
            int firstTarget = c.firstTarget();
            assertThat(tokenizer.decode(java.util.Arrays.copyOfRange(tokens, firstTarget, tokens.length), true))
                    .isEqualTo("to the park !");
            for (int i = firstTarget; i < tokens.length; i++) {
                assertThat(targets[i]).as("token %d", i).isTrue();
            }
            assertThat(c.targetCount()).isEqualTo(5);
        }
    }
}
