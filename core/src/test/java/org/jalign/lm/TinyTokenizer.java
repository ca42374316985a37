package org.jalign.lm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A small, real Hugging Face {@code tokenizer.json} written by hand: a WordLevel model behind a
 * Whitespace pre-tokenizer, with the four special tokens as {@code tokenizers} serializes them
 * (schema: huggingface/tokenizers, {@code tokenizer/serialization.rs} and {@code models/wordlevel}).
 *
 * <p>Whitespace splits on {@code \w+|[^\w\s]+}, so "cat." is two tokens, "cat" and ".". There is
 * no decoder section: {@code tokenizers} then joins decoded tokens with single spaces.
 */
public final class TinyTokenizer {

    public static final int PAD = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    public static final int UNK = 3;

    /** The vocabulary in id order: {@code WORDS.get(id)} is the token with that id. */
    public static final List<String> WORDS = List.of(
            "<pad>", "<bos>", "<eos>", "<unk>",
            "the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park", "and", "big", "red", ".", ",", "!");

    public static final int VOCAB_SIZE = WORDS.size();

    private TinyTokenizer() {
    }

    /** The id of {@code word}, from {@link #WORDS}: the test's own reference, independent of the tokenizer. */
    public static int id(String word) {
        int id = WORDS.indexOf(word);
        if (id < 0) {
            throw new IllegalArgumentException(word + " is not in the tiny vocabulary");
        }
        return id;
    }

    /** The tokenizer.json text, as {@code tokenizers} would save it. */
    public static String json() {
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < WORDS.size(); i++) {
            vocab.append(i == 0 ? "" : ",\n      ").append('"').append(WORDS.get(i)).append("\": ").append(i);
        }
        StringBuilder added = new StringBuilder();
        for (int i = 0; i <= UNK; i++) {
            added.append(i == 0 ? "" : ",\n    ").append("{\"id\": ").append(i).append(", \"content\": \"")
                    .append(WORDS.get(i)).append("\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, ")
                    .append("\"normalized\": false, \"special\": true}");
        }
        return """
                {
                  "version": "1.0",
                  "truncation": null,
                  "padding": null,
                  "added_tokens": [
                    %s
                  ],
                  "normalizer": null,
                  "pre_tokenizer": {"type": "Whitespace"},
                  "post_processor": null,
                  "decoder": null,
                  "model": {
                    "type": "WordLevel",
                    "vocab": {
                      %s
                    },
                    "unk_token": "<unk>"
                  }
                }
                """.formatted(added, vocab);
    }

    /**
     * {@link TinyCheckpoints#tinyLlama()} with this vocabulary's size and the given special ids
     * (-1 = none), so a model and this tokenizer can share a directory.
     */
    public static ModelConfig llamaConfig(int bos, List<Integer> eos, int pad) {
        ModelConfig t = TinyCheckpoints.tinyLlama();
        return new ModelConfig(t.architecture(), VOCAB_SIZE, t.hiddenSize(), t.intermediateSize(), t.numLayers(),
                t.numHeads(), t.numKeyValueHeads(), t.headDim(), t.maxPositions(), t.normEps(), t.ropeTheta(),
                t.ropeScaling(), t.activation(), t.tieWordEmbeddings(), t.qkvBias(), t.outputBias(), t.mlpBias(),
                bos, eos, pad);
    }

    /** Writes {@code dir/tokenizer.json}; returns {@code dir}. */
    public static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tokenizer.json"), json(), StandardCharsets.UTF_8);
        return dir;
    }
}
