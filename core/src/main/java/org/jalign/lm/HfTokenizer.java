package org.jalign.lm;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's Rust tokenizers binding.
 *
 * <p>Built with padding, truncation and automatic special tokens all off (DJL's defaults pad to
 * the longest and truncate at 512): jalign adds BOS itself and pads with masks. DJL has no call to
 * look up a token's id, so the vocabulary and added tokens are read from the JSON here.
 */
public final class HfTokenizer implements TextTokenizer, AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> vocabulary;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> vocabulary) {
        this.tokenizer = tokenizer;
        this.vocabulary = vocabulary;
    }

    /** Loads {@code dir/tokenizer.json}; errors name the file. */
    public static HfTokenizer load(Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Map<String, Integer> vocabulary = new HashMap<>();
        try {
            JsonElement root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) {
                throw new IOException(file + ": expected a JSON object");
            }
            JsonObject json = root.getAsJsonObject();
            if (json.has("model") && json.get("model").isJsonObject()) {
                JsonElement vocab = json.getAsJsonObject("model").get("vocab");
                if (vocab != null && vocab.isJsonObject()) {
                    vocab.getAsJsonObject().entrySet().forEach(e -> vocabulary.put(e.getKey(),
                            tokenId(e.getValue(), "model.vocab[\"" + e.getKey() + "\"]")));
                } else if (vocab != null && vocab.isJsonArray()) { // Unigram: [[piece, score], ...]
                    for (int i = 0; i < vocab.getAsJsonArray().size(); i++) {
                        vocabulary.put(vocab.getAsJsonArray().get(i).getAsJsonArray().get(0).getAsString(), i);
                    }
                }
            }
            if (json.has("added_tokens") && json.get("added_tokens").isJsonArray()) {
                for (JsonElement t : json.getAsJsonArray("added_tokens")) {
                    JsonObject token = t.getAsJsonObject();
                    vocabulary.put(token.get("content").getAsString(), tokenId(token.get("id"), "added_tokens id"));
                }
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NullPointerException e) {
            throw new IOException(file + ": not a valid tokenizer.json (" + e.getMessage() + ")", e);
        }
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optPadding(false)
                    .optTruncation(false)
                    .build();
            return new HfTokenizer(tokenizer, vocabulary);
        } catch (RuntimeException e) {
            throw new IOException(file + ": the tokenizers library rejected it (" + e.getMessage() + ")", e);
        }
    }

    /**
     * A token id: a non-negative integer. Gson's getAsInt would turn "13" into 13, 1.5 into 1 and
     * throw NumberFormatException (which escaped as a bare exception naming no file) on "thirteen".
     */
    private static int tokenId(JsonElement e, String where) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalStateException(where + ": expected an integer token id, got " + e);
        }
        double d = e.getAsDouble();
        if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) {
            throw new IllegalStateException(where + ": expected an integer token id >= 0, got " + e);
        }
        return (int) d;
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, skipSpecialTokens);
    }

    /** Ids the tokenizer can produce: one more than the largest id in its vocabulary and added tokens. */
    public int vocabularySize() {
        int max = -1;
        for (int id : vocabulary.values()) {
            max = Math.max(max, id);
        }
        return max + 1;
    }

    /** The id of a token string (vocabulary or added token). */
    public OptionalInt tokenId(String token) {
        Integer id = vocabulary.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
