package org.jalign.constitution;

import org.jalign.lm.Activation;
import org.jalign.lm.Architecture;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.RopeScaling;
import org.jalign.lm.TinyCheckpoints;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny random Llama with a real word-level tokenizer.json whose vocabulary covers the words of the
 * dialogue format and the judge prompt, and 512 positions so judge prompts fit.
 */
public final class ConstitutionFixtures {
    static final List<String> WORDS = List.of(
            "<pad>", "<bos>", "<eos>", "<unk>",
            "Human", "Assistant", ":", "(", ")", "A", "B", "The", "answer", "is", ".", ",",
            "cat", "dog", "sat", "ran", "good", "bad", "kind", "rude", "the", "a", "mat", "park",
            "Which", "response", "better", "Rewrite", "Criticise", "it", "to", "be", "more", "less",
            "Consider", "following", "conversation", "between", "human", "and", "an", "assistant",
            "Answer", "with", "or", "?", "<|user|>", "<|assistant|>");

    private ConstitutionFixtures() {
    }

    public static int id(String word) {
        int id = WORDS.indexOf(word);
        if (id < 0) {
            throw new IllegalArgumentException(word + " is not in the fixture vocabulary");
        }
        return id;
    }

    static ModelConfig config() {
        return new ModelConfig(Architecture.LLAMA, WORDS.size(), 32, 48, 2, 4, 2, 8, 512, 1e-5, 10000.0,
                RopeScaling.NONE, Activation.SILU, false, false, false, false, 1, List.of(2), 0);
    }

    /** A model directory: config.json, random weights, tokenizer.json; no chat template. */
    public static Path model(Path dir, long seed) throws IOException {
        TinyCheckpoints.write(dir, config(), seed);
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson(), StandardCharsets.UTF_8);
        return dir;
    }

    /** {@link #model} with a chat template in chat_template.jinja. */
    public static Path chatModel(Path dir, long seed) throws IOException {
        model(dir, seed);
        Files.writeString(dir.resolve("chat_template.jinja"), CHAT_TEMPLATE, StandardCharsets.UTF_8);
        return dir;
    }

    /** A ChatML-like template: {@code <bos>} then per message {@code <|role|> content <eos>}. */
    static final String CHAT_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{{ '<|' + message.role + '|> ' + message.content + ' ' + eos_token }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|assistant|> ' }}{% endif %}";

    static String tokenizerJson() {
        return tokenizerJson(WORDS);
    }

    /** {@link #model} whose vocabulary lacks "A" and "B" (both read as {@code <unk>}). */
    static Path modelWithoutAnswerTokens(Path dir, long seed) throws IOException {
        TinyCheckpoints.write(dir, config(), seed);
        List<String> words = WORDS.stream().map(w -> w.equals("A") ? "AA" : w.equals("B") ? "BB" : w).toList();
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson(words), StandardCharsets.UTF_8);
        return dir;
    }

    static String tokenizerJson(List<String> words) {
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < words.size(); i++) {
            vocab.append(i == 0 ? "" : ",\n")
                    .append(new com.google.gson.JsonPrimitive(words.get(i)).toString()).append(": ").append(i);
        }
        StringBuilder added = new StringBuilder();
        String[] special = {"<pad>", "<bos>", "<eos>", "<unk>", "<|user|>", "<|assistant|>"};
        for (int k = 0; k < special.length; k++) {
            added.append(k == 0 ? "" : ",\n").append("{\"id\": ").append(WORDS.indexOf(special[k]))
                    .append(", \"content\": \"").append(special[k]).append("\", \"single_word\": false, \"lstrip\": false, ")
                    .append("\"rstrip\": false, \"normalized\": false, \"special\": ").append(k < 4).append("}");
        }
        return """
                {"version": "1.0", "truncation": null, "padding": null,
                 "added_tokens": [%s],
                 "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null, "decoder": null,
                 "model": {"type": "WordLevel", "vocab": {%s}, "unk_token": "<unk>"}}
                """.formatted(added, vocab);
    }

    /** A constitution of three principles whose requests use the fixture's words. */
    public static Constitution constitution() {
        return new Constitution(List.of(
                new Principle("kind", "Criticise the response .", "Rewrite it to be more kind .", "Which response is more kind ?"),
                new Principle("short", "Criticise it .", "Rewrite it .", "Which response is better ?"),
                new Principle("calm", "Criticise the response , human .", "Rewrite it to be less rude .",
                        "Which response is less rude ?")));
    }
}
