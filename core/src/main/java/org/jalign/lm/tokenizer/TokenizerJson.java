package org.jalign.lm.tokenizer;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.List;

/**
 * Writes a {@link ByteLevelBpe} as the three files a Hugging Face tokenizer directory holds.
 *
 * <ul>
 *   <li>{@code tokenizer.json}, in the layout the Rust {@code tokenizers} library serializes:
 *       {@code version}, {@code truncation} and {@code padding} (null: the caller decides),
 *       {@code added_tokens} (the specials, {@code special: true, normalized: false}),
 *       {@code normalizer} ({@code Lowercase} or null), {@code pre_tokenizer}, {@code post_processor}
 *       and {@code decoder} ({@code ByteLevel}, no prefix space, GPT-2 regex), {@code model}
 *       ({@code BPE}: vocab ordered by id, merges as {@code "left right"} strings, the form every
 *       version of the library reads; tokens never hold a space, which the alphabet spells 'Ġ').</li>
 *   <li>{@code tokenizer_config.json}: the special tokens as plain strings (DJL's reader takes only
 *       strings), {@code clean_up_tokenization_spaces: false} (true would make decoding drop the
 *       space before punctuation), {@code add_prefix_space: false}; no {@code model_max_length},
 *       since the tokenizer has none (Hugging Face writes 1e30 then, which DJL's int field rejects).</li>
 *   <li>{@code special_tokens_map.json}: the four roles and their tokens.</li>
 * </ul>
 *
 * <p>DJL reads {@code tokenizer_config.json} only when given {@code optTokenizerConfigPath}; then a
 * {@code clean_up_tokenization_spaces: true} turns "a . b" into "a. b" on decoding and a token written
 * as {@code {"content": ...}} fails the load, hence the explicit false and the plain strings.
 * Transformers reads the same fields.
 */
public final class TokenizerJson {

    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String CONFIG_FILE = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_MAP_FILE = "special_tokens_map.json";

    private static final Gson GSON = new GsonBuilder()
            .setPrettyPrinting()
            .disableHtmlEscaping() // "<eos>", not "\u003ceos\u003e"
            .serializeNulls()      // "padding": null must be written, not dropped
            .create();
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenizerJson() {
    }

    /**
     * Writes the three files into {@code dir} (created if missing). Each file goes to a temp file
     * in {@code dir} and is renamed over the old one, so a reader sees the old file or the new one,
     * never part of one; {@code tokenizer.json} goes last.
     */
    public static void write(ByteLevelBpe bpe, Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new FileAlreadyExistsException(dir.toString(), null, "exists and is not a directory");
        }
        Files.createDirectories(dir);
        writeAtomically(dir.resolve(SPECIAL_TOKENS_MAP_FILE), GSON.toJson(specialTokensMap()) + "\n");
        writeAtomically(dir.resolve(CONFIG_FILE), GSON.toJson(tokenizerConfig()) + "\n");
        writeAtomically(dir.resolve(TOKENIZER_FILE), GSON.toJson(tokenizer(bpe)) + "\n");
    }

    /** The {@code tokenizer.json} object. */
    public static JsonObject tokenizer(ByteLevelBpe bpe) {
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);

        JsonArray added = new JsonArray();
        for (int id = 0; id < ByteLevelBpe.SPECIAL_TOKENS.size(); id++) {
            JsonObject token = new JsonObject();
            token.addProperty("id", id);
            token.addProperty("content", ByteLevelBpe.SPECIAL_TOKENS.get(id));
            addSpecialFlags(token);
            added.add(token);
        }
        root.add("added_tokens", added);

        if (bpe.lowercase()) {
            JsonObject normalizer = new JsonObject();
            normalizer.addProperty("type", "Lowercase");
            root.add("normalizer", normalizer);
        } else {
            root.add("normalizer", JsonNull.INSTANCE);
        }
        // trim_offsets only moves offsets (never ids or text); the decoder ignores all three flags.
        root.add("pre_tokenizer", byteLevel(true));
        root.add("post_processor", byteLevel(false));
        root.add("decoder", byteLevel(true));

        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        // Never used (every byte has a token) but named, so the four specials all have their role.
        model.addProperty("unk_token", ByteLevelBpe.SPECIAL_TOKENS.get(ByteLevelBpe.UNK_ID));
        model.add("continuing_subword_prefix", JsonNull.INSTANCE);
        model.add("end_of_word_suffix", JsonNull.INSTANCE);
        model.addProperty("fuse_unk", false);
        model.addProperty("byte_fallback", false);
        model.addProperty("ignore_merges", false);
        JsonObject vocab = new JsonObject();
        List<String> tokens = bpe.vocabulary();
        for (int id = 0; id < tokens.size(); id++) {
            vocab.addProperty(tokens.get(id), id);
        }
        model.add("vocab", vocab);
        JsonArray merges = new JsonArray();
        for (ByteLevelBpe.Merge merge : bpe.merges()) {
            merges.add(merge.left() + " " + merge.right());
        }
        model.add("merges", merges);
        root.add("model", model);
        return root;
    }

    /** The {@code tokenizer_config.json} object. */
    public static JsonObject tokenizerConfig() {
        JsonObject config = new JsonObject();
        config.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        config.addProperty("bos_token", ByteLevelBpe.SPECIAL_TOKENS.get(ByteLevelBpe.BOS_ID));
        config.addProperty("eos_token", ByteLevelBpe.SPECIAL_TOKENS.get(ByteLevelBpe.EOS_ID));
        config.addProperty("pad_token", ByteLevelBpe.SPECIAL_TOKENS.get(ByteLevelBpe.PAD_ID));
        config.addProperty("unk_token", ByteLevelBpe.SPECIAL_TOKENS.get(ByteLevelBpe.UNK_ID));
        config.addProperty("add_prefix_space", false);
        config.addProperty("clean_up_tokenization_spaces", false);
        JsonObject decoder = new JsonObject();
        for (int id = 0; id < ByteLevelBpe.SPECIAL_TOKENS.size(); id++) {
            JsonObject token = new JsonObject();
            token.addProperty("content", ByteLevelBpe.SPECIAL_TOKENS.get(id));
            addSpecialFlags(token);
            decoder.add(Integer.toString(id), token);
        }
        config.add("added_tokens_decoder", decoder);
        return config;
    }

    /** The {@code special_tokens_map.json} object. */
    public static JsonObject specialTokensMap() {
        JsonObject map = new JsonObject();
        map.addProperty("bos_token", ByteLevelBpe.SPECIAL_TOKENS.get(ByteLevelBpe.BOS_ID));
        map.addProperty("eos_token", ByteLevelBpe.SPECIAL_TOKENS.get(ByteLevelBpe.EOS_ID));
        map.addProperty("pad_token", ByteLevelBpe.SPECIAL_TOKENS.get(ByteLevelBpe.PAD_ID));
        map.addProperty("unk_token", ByteLevelBpe.SPECIAL_TOKENS.get(ByteLevelBpe.UNK_ID));
        return map;
    }

    /** Matched anywhere, whole, on the raw text (not after lower-casing), and dropped by skip-special decoding. */
    private static void addSpecialFlags(JsonObject token) {
        token.addProperty("single_word", false);
        token.addProperty("lstrip", false);
        token.addProperty("rstrip", false);
        token.addProperty("normalized", false);
        token.addProperty("special", true);
    }

    private static JsonObject byteLevel(boolean trimOffsets) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "ByteLevel");
        o.addProperty("add_prefix_space", false);
        o.addProperty("trim_offsets", trimOffsets);
        o.addProperty("use_regex", true);
        return o;
    }

    /** Temp file in the same directory, fsync, rename over {@code file}; the temp file never outlives a failure. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp;
        FileChannel channel;
        while (true) {
            temp = dir.resolve(file.getFileName() + ".tmp-" + Long.toUnsignedString(RANDOM.nextLong(), 36));
            try {
                channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
                break;
            } catch (FileAlreadyExistsException e) {
                // Another writer's temp file; draw another name.
            }
        }
        boolean moved = false;
        try {
            try (FileChannel out = channel) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }
}
