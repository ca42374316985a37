package org.jalign.lm;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * The ids that steer generation. Resolved field by field from generation_config.json, then
 * tokenizer_config.json (token strings looked up in tokenizer.json), then config.json; -1 (or
 * no EOS) where none is known.
 *
 * @param padId the id written after EOS and left of short prompts; falls back to the first EOS id
 *              (as HF does) and then to 0 — padding is masked, so its value never reaches a result
 */
public record SpecialTokens(int bosId, List<Integer> eosIds, int padId) {
    public SpecialTokens {
        eosIds = List.copyOf(eosIds);
        if (padId < 0) {
            throw new IllegalArgumentException("pad id must be >= 0, got " + padId);
        }
    }

    public boolean isEos(int id) {
        return eosIds.contains(id);
    }

    /**
     * BOS + {@code ids} when the model has a BOS id and {@code ids} do not already start with it
     * (Hugging Face's Llama tokenizer adds BOS by default); otherwise {@code ids} themselves.
     */
    public int[] withBos(int[] ids) {
        if (bosId < 0 || (ids.length > 0 && ids[0] == bosId)) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bosId;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /** The ids named in config.json alone (a model without tokenizer files). */
    public static SpecialTokens of(ModelConfig config) {
        List<Integer> eos = config.eosTokenIds();
        int pad = config.padTokenId() >= 0 ? config.padTokenId() : eos.isEmpty() ? 0 : eos.get(0);
        return new SpecialTokens(config.bosTokenId(), eos, pad);
    }

    /** Resolves the ids for the model in {@code dir}; {@code tokenizer} may be null. */
    public static SpecialTokens resolve(Path dir, ModelConfig config, HfTokenizer tokenizer) throws IOException {
        JsonObject generation = readOptional(dir.resolve("generation_config.json"));
        JsonObject tokenizerConfig = readOptional(dir.resolve("tokenizer_config.json"));
        Path genFile = dir.resolve("generation_config.json");
        Path tokFile = dir.resolve("tokenizer_config.json");

        int bos = idField(generation, "bos_token_id", genFile);
        if (bos < 0) {
            bos = tokenField(tokenizerConfig, "bos_token", tokenizer, tokFile);
        }
        if (bos < 0) {
            bos = config.bosTokenId();
        }
        List<Integer> eos = generation != null && generation.has("eos_token_id") && !generation.get("eos_token_id").isJsonNull()
                ? idList(generation, "eos_token_id", genFile) : List.of();
        if (eos.isEmpty()) {
            int e = tokenField(tokenizerConfig, "eos_token", tokenizer, tokFile);
            eos = e >= 0 ? List.of(e) : config.eosTokenIds();
        }
        int pad = idField(generation, "pad_token_id", genFile);
        if (pad < 0) {
            pad = tokenField(tokenizerConfig, "pad_token", tokenizer, tokFile);
        }
        if (pad < 0) {
            pad = config.padTokenId();
        }
        if (pad < 0) {
            pad = eos.isEmpty() ? 0 : eos.get(0);
        }
        // Every id reaches the embedding (BOS starts each prompt, pad fills the left of short rows),
        // and tokenizer.json may list added tokens past the checkpoint's vocab_size.
        if (bos >= 0) {
            requireInVocabulary(dir, "bos", bos, config);
        }
        for (int id : eos) {
            requireInVocabulary(dir, "eos", id, config);
        }
        requireInVocabulary(dir, "pad", pad, config);
        return new SpecialTokens(bos, eos, pad);
    }

    private static void requireInVocabulary(Path dir, String role, int id, ModelConfig config) throws IOException {
        if (id < 0 || id >= config.vocabSize()) {
            throw new IOException(dir + ": " + role + " token id " + id + " is outside the vocabulary [0, "
                    + config.vocabSize() + ")");
        }
    }

    private static JsonObject readOptional(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) { // its message is only "Input length = 1"
            throw new IOException(file + ": not valid UTF-8", e);
        }
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) {
                throw new IOException(file + ": expected a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IOException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    private static int idField(JsonObject json, String field, Path file) throws IOException {
        if (json == null || !json.has(field) || json.get(field).isJsonNull()) {
            return -1;
        }
        List<Integer> ids = idList(json, field, file);
        return ids.isEmpty() ? -1 : ids.get(0);
    }

    private static List<Integer> idList(JsonObject json, String field, Path file) throws IOException {
        try {
            return ModelConfig.tokenIds(json, field);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** tokenizer_config.json names tokens by string ({@code "<s>"} or {@code {"content": "<s>"}}). */
    private static int tokenField(JsonObject json, String field, HfTokenizer tokenizer, Path file) throws IOException {
        if (json == null || tokenizer == null || !json.has(field) || json.get(field).isJsonNull()) {
            return -1;
        }
        JsonElement e = json.get(field);
        String content;
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            content = e.getAsString();
        } else if (e.isJsonObject() && e.getAsJsonObject().has("content")
                && e.getAsJsonObject().get("content").isJsonPrimitive()
                && e.getAsJsonObject().getAsJsonPrimitive("content").isString()) {
            content = e.getAsJsonObject().get("content").getAsString();
        } else { // {"content": null} used to escape as UnsupportedOperationException
            throw new IOException(file + ": field " + field + ": expected a token string or {\"content\": ...}, got " + e);
        }
        OptionalInt id = tokenizer.tokenId(content);
        if (id.isEmpty()) {
            throw new IOException(file + ": field " + field + " names token \"" + content
                    + "\", which tokenizer.json does not contain");
        }
        return id.getAsInt();
    }
}
