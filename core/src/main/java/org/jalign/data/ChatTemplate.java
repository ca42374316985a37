package org.jalign.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face chat template: the Jinja2 {@code chat_template} of tokenizer_config.json that
 * turns a conversation into the one string a chat model was trained on, rendered as
 * {@code tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=...)} does.
 *
 * <p>The template sees {@code messages} (a list of {@code {"role", "content"}} dicts),
 * {@code add_generation_prompt}, {@code bos_token} and {@code eos_token}. It is interpreted by a
 * small Jinja2 subset (see {@code JinjaParser} for the grammar): the statements {@code for},
 * {@code if/elif/else}, {@code set} (also on a {@code namespace()}) and TRL's {@code generation}
 * marker; whitespace control with HF's {@code trim_blocks}/{@code lstrip_blocks}; Python-like
 * expressions with subscripts, slices, attributes, string methods ({@code strip}, ...), the
 * filters {@code trim length upper lower tojson ...} and {@code raise_exception('...')}. That
 * covers the Llama-2/3, Mistral, Zephyr and Qwen2/ChatML templates. Anything outside the subset
 * fails at {@link #parse} with a {@link ChatTemplateException} naming the construct and offset.
 *
 * <p>When a model has no template, {@link #plain} renders each message as {@code <|role|>\n} +
 * content + {@code \n}, except that an assistant turn ends with the EOS token instead of the
 * newline, so the model learns to stop and nothing after EOS is trained; the generation prompt is
 * {@code <|assistant|>\n}; the conversation starts with the BOS token. See {@link #PLAIN_SOURCE}.
 */
public final class ChatTemplate {

    /**
     * The fallback template, in the same Jinja subset. For {@code [system "Be brief.", user "Hi",
     * assistant "Hello"]} with BOS {@code <s>} and EOS {@code </s>} it renders
     * {@code <s><|system|>\nBe brief.\n<|user|>\nHi\n<|assistant|>\nHello</s>}.
     */
    public static final String PLAIN_SOURCE = "{{ bos_token }}"
            + "{% for message in messages %}"
            + "{{ '<|' + message.role + '|>\\n' + message.content }}"
            + "{% if message.role == 'assistant' %}{{ eos_token }}{% else %}{{ '\\n' }}{% endif %}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

    /** A half-open range {@code [start, end)} of characters in a rendered conversation. */
    public record Span(int start, int end) {
        public Span {
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("a span needs 0 <= start <= end, got [" + start + ", " + end + ")");
            }
        }
    }

    /**
     * A conversation rendered for training, with the characters each assistant turn added.
     *
     * @param assistantSpans in order, disjoint, one per assistant message
     */
    public record Rendered(String text, List<Span> assistantSpans) {
        public Rendered {
            assistantSpans = List.copyOf(assistantSpans);
        }
    }

    private final String source;
    private final List<JinjaAst.Node> template;
    private final String bosToken;
    private final String eosToken;

    private ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        this.template = JinjaParser.parse(source);
        this.bosToken = Objects.requireNonNull(bosToken, "bosToken");
        this.eosToken = Objects.requireNonNull(eosToken, "eosToken");
    }

    /**
     * Parses {@code source}; {@code bosToken}/{@code eosToken} are the strings the template's
     * {@code bos_token}/{@code eos_token} render as ({@code ""} when the model has none).
     *
     * @throws ChatTemplateException naming the unsupported or malformed construct and its offset
     */
    public static ChatTemplate parse(String source, String bosToken, String eosToken) {
        return new ChatTemplate(source, bosToken, eosToken);
    }

    /** The documented fallback {@link #PLAIN_SOURCE} for a model without a template. */
    public static ChatTemplate plain(String bosToken, String eosToken) {
        return new ChatTemplate(PLAIN_SOURCE, bosToken, eosToken);
    }

    /**
     * The template of the model in {@code modelDir}: {@code chat_template.jinja} when present (where
     * transformers ≥ 4.43 saves it), else the {@code chat_template} of tokenizer_config.json (a
     * string, or a list of {@code {"name", "template"}} of which the one named {@code default}),
     * else {@link #plain}.
     */
    public static ChatTemplate forModel(Path modelDir, String bosToken, String eosToken) throws IOException {
        Path jinja = modelDir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            return parseFrom(jinja, Files.readString(jinja, StandardCharsets.UTF_8), bosToken, eosToken);
        }
        Path config = modelDir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(config)) {
            return plain(bosToken, eosToken);
        }
        JsonElement root;
        try {
            root = JsonParser.parseString(Files.readString(config, StandardCharsets.UTF_8));
        } catch (JsonParseException e) {
            throw new IOException(config + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        if (!root.isJsonObject()) {
            throw new IOException(config + ": expected a JSON object");
        }
        JsonElement field = root.getAsJsonObject().get("chat_template");
        if (field == null || field.isJsonNull()) {
            return plain(bosToken, eosToken);
        }
        if (field.isJsonPrimitive() && field.getAsJsonPrimitive().isString()) {
            return parseFrom(config, field.getAsString(), bosToken, eosToken);
        }
        if (field.isJsonArray()) {
            for (JsonElement e : field.getAsJsonArray()) {
                if (e.isJsonObject() && isString(e.getAsJsonObject(), "name") && isString(e.getAsJsonObject(), "template")
                        && e.getAsJsonObject().get("name").getAsString().equals("default")) {
                    return parseFrom(config, e.getAsJsonObject().get("template").getAsString(), bosToken, eosToken);
                }
            }
            throw new IOException(config + ": chat_template is a list without an entry {\"name\": \"default\", \"template\": ...}");
        }
        throw new IOException(config + ": chat_template must be a string or a list of {\"name\", \"template\"}");
    }

    private static boolean isString(JsonObject o, String field) {
        return o.has(field) && o.get(field).isJsonPrimitive() && o.get(field).getAsJsonPrimitive().isString();
    }

    private static ChatTemplate parseFrom(Path file, String source, String bosToken, String eosToken) throws IOException {
        try {
            return parse(source, bosToken, eosToken);
        } catch (ChatTemplateException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The template text. */
    public String source() {
        return source;
    }

    public String bosToken() {
        return bosToken;
    }

    public String eosToken() {
        return eosToken;
    }

    /**
     * The conversation as the model reads it; with {@code addGenerationPrompt}, followed by what
     * opens an assistant turn, ready for generation.
     *
     * @throws ChatTemplateException when the template raises an error or misuses a value
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Object> dicts = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> dict = new LinkedHashMap<>();
            dict.put("role", m.role().jsonName());
            dict.put("content", m.content());
            dicts.add(dict);
        }
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("messages", dicts);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        return JinjaInterpreter.render(template, context);
    }

    /**
     * The whole conversation and, for each assistant message i, the characters it adds: from the
     * end of {@code render(messages[0..i), true)} (the prompt, up to and including the assistant
     * header) to the end of {@code render(messages[0..i], false)} (through its closing tokens).
     * This is how TRL finds assistant tokens for templates without {@code {% generation %}} marks.
     *
     * @throws ChatTemplateException when a prefix renders differently once later messages follow
     *         (e.g. a template that rewrites earlier turns), since no span can then be found
     */
    public Rendered renderForTraining(List<ChatMessage> messages) {
        String full = render(messages, false);
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).role() != ChatMessage.Role.ASSISTANT) {
                continue;
            }
            String prompt = render(messages.subList(0, i), true);
            String through = render(messages.subList(0, i + 1), false);
            if (!through.startsWith(prompt) || !full.startsWith(through)) {
                throw new ChatTemplateException("message " + i + " (assistant) does not extend the rendering of the messages "
                        + "before it: the template renders earlier turns differently once later ones follow, so the "
                        + "assistant's text cannot be located for training");
            }
            Span span = new Span(prompt.length(), through.length());
            if (!spans.isEmpty() && spans.get(spans.size() - 1).end() > span.start()) {
                throw new ChatTemplateException("assistant message " + i + " overlaps the previous assistant message");
            }
            spans.add(span);
        }
        return new Rendered(full, spans);
    }
}
