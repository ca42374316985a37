package org.jalign.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Chat templates written for these tests with the constructs of the real ones (ChatML/Qwen2,
 * Llama-2, Zephyr), rendered to strings worked out by hand (and cross-checked once against
 * Python Jinja2 3.1 configured as transformers configures it).
 */
class ChatTemplateTest {

    /** ChatML with a default system turn, as Qwen2 does: loop.first, subscripts, + and a generation prompt. */
    static final String CHATML = "{% for message in messages %}"
            + "{% if loop.first and message['role'] != 'system' %}{{ '<|im_start|>system\\nYou are helpful.<|im_end|>\\n' }}{% endif %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** Llama-2's shape: system folded into the first user turn, alternation enforced, strip(). */
    static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}"
            + "{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}"
            + "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
            + "{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Roles must alternate user/assistant') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ ' ' + content.strip() + ' ' + eos_token }}{% endif %}"
            + "{% endfor %}";

    private static final List<ChatMessage> HI_HELLO = List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello"));

    @Test
    void chatMlRendersEachTurnAndTheGenerationPrompt() {
        ChatTemplate t = ChatTemplate.parse(CHATML, "", "<|im_end|>");
        assertThat(t.render(HI_HELLO, false)).isEqualTo("<|im_start|>system\nYou are helpful.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello<|im_end|>\n");
        assertThat(t.render(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")), true))
                .isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n"
                        + "<|im_start|>user\nHi<|im_end|>\n"
                        + "<|im_start|>assistant\n");
    }

    @Test
    void llama2FoldsTheSystemMessageIntoTheFirstUserTurn() {
        ChatTemplate t = ChatTemplate.parse(LLAMA2, "<s>", "</s>");
        List<ChatMessage> messages = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello"), ChatMessage.user("  Bye  "));
        assertThat(t.render(messages, false)).isEqualTo(
                "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello </s><s>[INST] Bye [/INST]");
        assertThat(t.render(List.of(ChatMessage.user("Hi")), true)).isEqualTo("<s>[INST] Hi [/INST]");
    }

    @Test
    void raiseExceptionFailsWithTheTemplatesMessageAndOffset() {
        ChatTemplate t = ChatTemplate.parse(LLAMA2, "<s>", "</s>");
        assertThatThrownBy(() -> t.render(List.of(ChatMessage.assistant("Hello")), false))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessage("chat template, offset " + LLAMA2.indexOf("raise_exception")
                        + ": the template raised an error: Roles must alternate user/assistant");
    }

    @Test
    void whitespaceControlAndHfTrimAndLstripBlocks() {
        // trim_blocks eats the newline after each {% %}; lstrip_blocks the indentation before it;
        // {{- and -}} strip around the expression; the final newline of the template is dropped.
        String template = """
                {% for message in messages %}
                    {% if message.role == 'user' %}
                [U] {{ message.content }}
                    {% else %}
                [A] {{- ' ' ~ message.content -}}   !
                    {% endif %}
                {% endfor %}
                {%- if add_generation_prompt %}  [A]{% endif %}
                """;
        ChatTemplate t = ChatTemplate.parse(template, "", "");
        assertThat(t.render(List.of(ChatMessage.user("hi"), ChatMessage.assistant("yo")), true))
                .isEqualTo("[U] hi\n[A] yo!\n  [A]");
        assertThat(t.render(List.of(ChatMessage.user("hi")), false)).isEqualTo("[U] hi\n");
    }

    @Test
    void dashesStripNewlinesOnBothSides() {
        String template = "{%- for m in messages -%}\n  <{{- m.content -}}>  \n{%- endfor -%}\n\n";
        assertThat(ChatTemplate.parse(template, "", "").render(HI_HELLO, false)).isEqualTo("<Hi><Hello>");
    }

    @Test
    void expressionsFiltersAndNamespaces() {
        String template = "{% set ns = namespace(count=0) %}"
                + "{% for m in messages %}{% if m.role == 'user' %}{% set ns.count = ns.count + 1 %}{% endif %}{% endfor %}"
                + "{{ ns.count }}|{{ messages | length }}|{{ messages[-1].content | upper }}"
                + "|{{ 'x' in 'xyz' }}|{{ 'q' not in ['a'] }}|{{ not false and 1 + 2 * 3 == 7 }}"
                + "|{{ 7 // 2 }},{{ -7 % 3 }}|{{ 'a' ~ 1 ~ none }}|{{ messages[0] | tojson }}"
                + "|{{ missing is defined }}{{ missing }}|{{ 'yes' if messages else 'no' }}|{{ '  PAD  ' | trim | lower }}"
                + "|{{ 'a' + '  b  ' | trim }}|{{ loop is undefined }}";
        List<ChatMessage> messages = List.of(ChatMessage.user("Hi \"you\""), ChatMessage.assistant("ok"));
        assertThat(ChatTemplate.parse(template, "", "").render(messages, false)).isEqualTo(
                "1|2|OK|True|True|True|3,2|a1None|{\"role\": \"user\", \"content\": \"Hi \\\"you\\\"\"}|False|yes|pad|ab|True");
    }

    @Test
    void aSetInsideALoopDoesNotOutliveTheIteration() {
        String template = "{% set last = 'none' %}{% for m in messages %}{% set last = m.content %}{% endfor %}{{ last }}";
        assertThat(ChatTemplate.parse(template, "", "").render(HI_HELLO, false)).isEqualTo("none");
    }

    @Test
    void loopVariables() {
        String template = "{% for m in messages %}{{ loop.index0 }}{{ loop.index }}{{ loop.first }}{{ loop.last }};{% endfor %}";
        assertThat(ChatTemplate.parse(template, "", "").render(HI_HELLO, false)).isEqualTo("01TrueFalse;12FalseTrue;");
    }

    @Test
    void unsupportedSyntaxNamesTheConstructAndOffset() {
        assertSyntaxError("Hello {% macro m() %}x{% endmacro %}", 9, "unsupported statement 'macro'");
        assertSyntaxError("{{ x | wordcount }}", 7, "unsupported filter 'wordcount'");
        assertSyntaxError("{{ x is divisibleby }}", 8, "unsupported test 'is divisibleby'");
        assertSyntaxError("{{ strftime_now('%Y') }}", 3, "unsupported function 'strftime_now'");
        assertSyntaxError("ab{% for m in messages %}x", 5, "'for' is never closed with 'endfor'");
        assertSyntaxError("{{ x ", 0, "tag '{{' is never closed with '}}'");
        assertSyntaxError("{{ a @ b }}", 5, "unexpected character '@' in an expression");
        assertSyntaxError("{% for k, v in x %}{% endfor %}", 8, "unsupported construct: tuple unpacking in 'for'");
        assertSyntaxError("{% for m in messages %}{% else %}{% endfor %}", 23, "unsupported construct: 'for ... else'");
        assertSyntaxError("{% if x %}a{% endfor %}", 14, "expected 'endif' to close 'if' at offset 3, got 'endfor'");
        assertSyntaxError("x{% endif %}", 1, "'endif' without a matching opening tag");
        assertSyntaxError("{{ 'abc }}", 3, "string literal is never closed");
        assertSyntaxError("{# note", 0, "comment '{#' is never closed with '#}'");
    }

    private static void assertSyntaxError(String template, int offset, String problem) {
        assertThatThrownBy(() -> ChatTemplate.parse(template, "", ""))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageStartingWith("chat template, offset " + offset + ": " + problem)
                .extracting(e -> ((ChatTemplateException) e).offset()).isEqualTo(offset);
    }

    @Test
    void typeErrorsAtRenderTimeNameTheOffset() {
        assertThatThrownBy(() -> ChatTemplate.parse("ab{{ 'a' + 1 }}", "", "").render(HI_HELLO, false))
                .hasMessage("chat template, offset 9: unsupported operands for '+': a string and a number "
                        + "(use '~' to join values as strings)");
        assertThatThrownBy(() -> ChatTemplate.parse("{{ nothing.role }}", "", "").render(HI_HELLO, false))
                .hasMessage("chat template, offset 10: 'nothing' is undefined, so it has no attribute 'role'");
        assertThatThrownBy(() -> ChatTemplate.parse("{{ messages[0].content.title() }}", "", "").render(HI_HELLO, false))
                .hasMessageContaining("unsupported method 'title' on a string");
    }

    @Test
    void plainFallbackWhenTheModelHasNoTemplate() {
        ChatTemplate t = ChatTemplate.plain("<s>", "</s>");
        List<ChatMessage> messages = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"), ChatMessage.assistant("Hello"));
        assertThat(t.render(messages, false)).isEqualTo("<s><|system|>\nBe brief.\n<|user|>\nHi\n<|assistant|>\nHello</s>");
        assertThat(t.render(List.of(ChatMessage.user("Hi")), true)).isEqualTo("<s><|user|>\nHi\n<|assistant|>\n");
        assertThat(t.render(List.of(ChatMessage.user("Hi"), ChatMessage.assistant("A"), ChatMessage.user("B")), true))
                .isEqualTo("<s><|user|>\nHi\n<|assistant|>\nA</s><|user|>\nB\n<|assistant|>\n");
    }

    @Test
    void renderForTrainingFindsEachAssistantTurn() {
        ChatTemplate t = ChatTemplate.parse(CHATML, "", "<|im_end|>");
        List<ChatMessage> messages = List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello"),
                ChatMessage.user("More"), ChatMessage.assistant("Sure"));
        ChatTemplate.Rendered r = t.renderForTraining(messages);
        assertThat(r.text()).isEqualTo(t.render(messages, false));
        assertThat(r.assistantSpans()).hasSize(2);
        assertThat(r.assistantSpans().stream().map(s -> r.text().substring(s.start(), s.end())))
                .containsExactly("Hello<|im_end|>\n", "Sure<|im_end|>\n");
        assertThat(r.text().substring(0, r.assistantSpans().get(0).start()))
                .endsWith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");

        ChatTemplate plain = ChatTemplate.plain("<s>", "</s>");
        ChatTemplate.Rendered p = plain.renderForTraining(HI_HELLO);
        assertThat(p.text().substring(p.assistantSpans().get(0).start())).isEqualTo("Hello</s>");
    }

    @Test
    void aTemplateThatRewritesEarlierTurnsCannotBeUsedForTraining() {
        ChatTemplate t = ChatTemplate.parse("{% for m in messages %}{% if loop.last %}[last]{% endif %}{{ m.content }}{% endfor %}", "", "");
        assertThatThrownBy(() -> t.renderForTraining(HI_HELLO))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageStartingWith("chat template: message 1 (assistant) does not extend the rendering");
    }

    @Test
    void forModelReadsTokenizerConfigOrFallsBackToPlain(@TempDir Path dir) throws IOException {
        assertThat(ChatTemplate.forModel(dir, "<s>", "</s>").source()).isEqualTo(ChatTemplate.PLAIN_SOURCE);

        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"chat_template\": \"{{ messages | length }}\"}");
        assertThat(ChatTemplate.forModel(dir, "<s>", "</s>").render(HI_HELLO, false)).isEqualTo("2");

        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}, {\"name\": \"default\", \"template\": \"D\"}]}");
        assertThat(ChatTemplate.forModel(dir, "", "").render(HI_HELLO, false)).isEqualTo("D");

        Files.writeString(dir.resolve("chat_template.jinja"), "J{{ eos_token }}\n");
        assertThat(ChatTemplate.forModel(dir, "", "</s>").render(HI_HELLO, false)).isEqualTo("J</s>");

        Files.writeString(dir.resolve("chat_template.jinja"), "{% include 'x' %}");
        assertThatThrownBy(() -> ChatTemplate.forModel(dir, "", ""))
                .isInstanceOf(IOException.class)
                .hasMessage(dir.resolve("chat_template.jinja") + ": chat template, offset 3: unsupported statement 'include'");

        Files.delete(dir.resolve("chat_template.jinja"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": 3}");
        assertThatThrownBy(() -> ChatTemplate.forModel(dir, "", ""))
                .hasMessageContaining("chat_template must be a string or a list");
    }
}
