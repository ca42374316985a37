package org.jalign.lm;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a decoder-only transformer, read from a Hugging Face {@code config.json}.
 *
 * <p>One record serves all three families; {@link Architecture} says which block is built. Field
 * names follow the Llama spelling; GPT-2's {@code n_embd}, {@code n_layer}, {@code n_head},
 * {@code n_inner}, {@code n_positions} and {@code layer_norm_epsilon} map onto them.
 *
 * @param qkvBias     biases on the q/k/v projections (Qwen2 always; Llama when {@code attention_bias})
 * @param outputBias  bias on the attention output projection (Llama {@code attention_bias}; GPT-2 always)
 * @param mlpBias     biases in the MLP (Llama {@code mlp_bias}; GPT-2 always)
 * @param eosTokenIds one or more end-of-sequence ids (Llama 3 lists several); may be empty
 * @param padTokenId  the pad id, or -1 when the config names none
 * @param bosTokenId  the BOS id, or -1 when the config names none
 */
public record ModelConfig(
        Architecture architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKeyValueHeads,
        int headDim,
        int maxPositions,
        double normEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        Activation activation,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean outputBias,
        boolean mlpBias,
        int bosTokenId,
        List<Integer> eosTokenIds,
        int padTokenId) {

    public ModelConfig {
        if (architecture == null) {
            throw new IllegalArgumentException("config.architecture must not be null");
        }
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numLayers);
        positive("num_attention_heads", numHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("max_position_embeddings", maxPositions);
        if (numHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numHeads
                    + ") must be a multiple of num_key_value_heads (" + numKeyValueHeads + ")");
        }
        if (architecture != Architecture.GPT2 && headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
        }
        if (architecture == Architecture.GPT2 && numHeads * headDim != hiddenSize) {
            throw new IllegalArgumentException("n_embd (" + hiddenSize + ") must be divisible by n_head (" + numHeads + ")");
        }
        if (!(normEps > 0)) {
            throw new IllegalArgumentException("norm epsilon must be > 0, got " + normEps);
        }
        if (architecture != Architecture.GPT2 && !(ropeTheta > 0)) {
            throw new IllegalArgumentException("rope_theta must be > 0, got " + ropeTheta);
        }
        if (ropeScaling == null) {
            ropeScaling = RopeScaling.NONE;
        }
        if (activation == null) {
            throw new IllegalArgumentException("config activation must not be null");
        }
        eosTokenIds = List.copyOf(eosTokenIds == null ? List.of() : eosTokenIds);
        for (int id : eosTokenIds) {
            tokenId("eos_token_id", id, vocabSize);
        }
        if (bosTokenId != -1) {
            tokenId("bos_token_id", bosTokenId, vocabSize);
        }
        if (padTokenId != -1) {
            tokenId("pad_token_id", padTokenId, vocabSize);
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("config." + field + " must be > 0, got " + value);
        }
    }

    private static void tokenId(String field, int id, int vocabSize) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException("config." + field + " must be in [0, vocab_size=" + vocabSize + "), got " + id);
        }
    }

    /** This config with other special token ids (-1 = none); the network is unchanged. */
    public ModelConfig withSpecialTokens(int bos, List<Integer> eos, int pad) {
        return new ModelConfig(architecture, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads,
                numKeyValueHeads, headDim, maxPositions, normEps, ropeTheta, ropeScaling, activation,
                tieWordEmbeddings, qkvBias, outputBias, mlpBias, bos, eos, pad);
    }

    /**
     * This config with the LM head tied (or not) to the input embedding; the body is unchanged. A
     * sequence classifier's checkpoint has no {@code lm_head.weight}: loading its body as tied
     * makes the (unused) LM head the embedding instead of a missing tensor.
     */
    public ModelConfig withTiedWordEmbeddings(boolean tied) {
        return new ModelConfig(architecture, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads,
                numKeyValueHeads, headDim, maxPositions, normEps, ropeTheta, ropeScaling, activation,
                tied, qkvBias, outputBias, mlpBias, bosTokenId, eosTokenIds, padTokenId);
    }

    /** Number of query heads sharing one key/value head (1 = plain multi-head attention). */
    public int queriesPerKeyValue() {
        return numHeads / numKeyValueHeads;
    }

    /** Parameters in the model, counting tied embeddings once. */
    public long parameterCount() {
        long c = hiddenSize;
        long q = (long) numHeads * headDim;
        long kv = (long) numKeyValueHeads * headDim;
        long attention = c * (q + 2 * kv) + q * c + (qkvBias ? q + 2 * kv : 0) + (outputBias ? c : 0);
        long mlpMatrices = architecture == Architecture.GPT2 ? 2 : 3;
        long mlp = mlpMatrices * c * intermediateSize + (mlpBias ? intermediateSize * (mlpMatrices - 1) + c : 0);
        long norms = architecture == Architecture.GPT2 ? 4 * c : 2 * c;
        long perLayer = attention + mlp + norms;
        long embeddings = (long) vocabSize * c * (tieWordEmbeddings ? 1 : 2);
        long positions = architecture == Architecture.GPT2 ? (long) maxPositions * c : 0;
        long finalNorm = architecture == Architecture.GPT2 ? 2 * c : c;
        return perLayer * numLayers + embeddings + positions + finalNorm;
    }

    /** Reads {@code dir/config.json}; every error names the file and the field. */
    public static ModelConfig load(Path dir) throws IOException {
        if (!Files.exists(dir.resolve("config.json"))) {
            throw new IOException("no config.json in model directory " + dir);
        }
        return loadFile(dir.resolve("config.json"));
    }

    /** Reads a config.json file (any name); every error names the file and the field. */
    public static ModelConfig loadFile(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("model config " + file + " does not exist", e);
        }
        try {
            JsonElement root = JsonParser.parseString(text);
            if (!root.isJsonObject()) {
                throw new IllegalArgumentException("expected a JSON object at the top level");
            }
            return fromJson(root.getAsJsonObject());
        } catch (JsonParseException | IllegalArgumentException | IllegalStateException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Builds a config from parsed config.json; errors name the field and what was expected. */
    public static ModelConfig fromJson(JsonObject json) {
        Architecture arch = null;
        String modelType = optString(json, "model_type");
        if (modelType != null) {
            arch = Architecture.ofModelType(modelType);
            if (arch == null) {
                throw new IllegalArgumentException("unsupported model_type \"" + modelType
                        + "\"; supported: llama, qwen2, gpt2");
            }
        } else if (json.has("architectures") && json.get("architectures").isJsonArray()
                && json.getAsJsonArray("architectures").size() > 0) {
            String cls = json.getAsJsonArray("architectures").get(0).getAsString();
            arch = Architecture.ofClassName(cls);
            if (arch == null) {
                throw new IllegalArgumentException("unsupported architectures[0] \"" + cls
                        + "\"; supported: LlamaForCausalLM, Qwen2ForCausalLM, GPT2LMHeadModel and their "
                        + "*ForSequenceClassification twins");
            }
        } else {
            throw new IllegalArgumentException("missing field model_type (expected llama, qwen2 or gpt2)");
        }
        return arch == Architecture.GPT2 ? gpt2(json) : llamaLike(json, arch);
    }

    private static ModelConfig llamaLike(JsonObject json, Architecture arch) {
        int hidden = reqInt(json, "hidden_size");
        int heads = reqInt(json, "num_attention_heads");
        int kvHeads = json.has("num_key_value_heads") && !json.get("num_key_value_heads").isJsonNull()
                ? reqInt(json, "num_key_value_heads") : heads;
        int headDim = json.has("head_dim") && !json.get("head_dim").isJsonNull() ? reqInt(json, "head_dim") : hidden / heads;
        if (!json.has("head_dim") && hidden % heads != 0) {
            throw new IllegalArgumentException("hidden_size (" + hidden + ") must be divisible by num_attention_heads ("
                    + heads + ") when head_dim is absent");
        }
        String act = json.has("hidden_act") ? reqString(json, "hidden_act") : "silu";
        Activation activation = Activation.ofHfName(act);
        if (activation != Activation.SILU) {
            throw new IllegalArgumentException("hidden_act must be \"silu\" for " + arch.modelType() + ", got \"" + act + "\"");
        }
        if (optBool(json, "use_sliding_window", false)) {
            throw new IllegalArgumentException("use_sliding_window is true: sliding-window attention is not "
                    + "supported; set it to false (Qwen2's default) to attend over the full context");
        }
        boolean attentionBias = optBool(json, "attention_bias", false);
        boolean qkvBias = arch == Architecture.QWEN2 || attentionBias;
        boolean outputBias = arch == Architecture.LLAMA && attentionBias;
        return new ModelConfig(arch,
                reqInt(json, "vocab_size"),
                hidden,
                reqInt(json, "intermediate_size"),
                reqInt(json, "num_hidden_layers"),
                heads, kvHeads, headDim,
                json.has("max_position_embeddings") ? reqInt(json, "max_position_embeddings") : 2048,
                reqDouble(json, "rms_norm_eps"),
                json.has("rope_theta") ? reqDouble(json, "rope_theta") : 10000.0,
                ropeScaling(json),
                activation,
                optBool(json, "tie_word_embeddings", false),
                qkvBias, outputBias,
                optBool(json, "mlp_bias", false),
                optTokenId(json, "bos_token_id"),
                tokenIds(json, "eos_token_id"),
                optTokenId(json, "pad_token_id"));
    }

    private static ModelConfig gpt2(JsonObject json) {
        int hidden = reqInt(json, "n_embd");
        int heads = reqInt(json, "n_head");
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("n_embd (" + hidden + ") must be divisible by n_head (" + heads + ")");
        }
        int inner = json.has("n_inner") && !json.get("n_inner").isJsonNull() ? reqInt(json, "n_inner") : 4 * hidden;
        String act = json.has("activation_function") ? reqString(json, "activation_function") : "gelu_new";
        Activation activation = Activation.ofHfName(act);
        if (activation == null || activation == Activation.SILU) {
            throw new IllegalArgumentException("activation_function must be gelu_new or gelu for gpt2, got \"" + act + "\"");
        }
        return new ModelConfig(Architecture.GPT2,
                reqInt(json, "vocab_size"),
                hidden, inner,
                reqInt(json, "n_layer"),
                heads, heads, hidden / heads,
                reqInt(json, "n_positions"),
                json.has("layer_norm_epsilon") ? reqDouble(json, "layer_norm_epsilon") : 1e-5,
                0, RopeScaling.NONE, activation,
                optBool(json, "tie_word_embeddings", true),
                true, true, true,
                optTokenId(json, "bos_token_id"),
                tokenIds(json, "eos_token_id"),
                optTokenId(json, "pad_token_id"));
    }

    private static RopeScaling ropeScaling(JsonObject json) {
        if (!json.has("rope_scaling") || json.get("rope_scaling").isJsonNull()) {
            return RopeScaling.NONE;
        }
        if (!json.get("rope_scaling").isJsonObject()) {
            throw new IllegalArgumentException("field rope_scaling: expected an object or null");
        }
        JsonObject s = json.getAsJsonObject("rope_scaling");
        String type = s.has("rope_type") ? reqString(s, "rope_type") : s.has("type") ? reqString(s, "type") : null;
        if (type == null) {
            throw new IllegalArgumentException("missing field rope_scaling.rope_type");
        }
        return switch (type) {
            case "default" -> RopeScaling.NONE;
            case "linear" -> new RopeScaling(RopeScaling.Kind.LINEAR, reqDouble(s, "factor"), 1, 1, 0);
            case "llama3" -> new RopeScaling(RopeScaling.Kind.LLAMA3, reqDouble(s, "factor"),
                    reqDouble(s, "low_freq_factor"), reqDouble(s, "high_freq_factor"),
                    reqInt(s, "original_max_position_embeddings"));
            default -> throw new IllegalArgumentException("unsupported rope_scaling.rope_type \"" + type
                    + "\"; supported: default, linear, llama3");
        };
    }

    /** Writes this config as Hugging Face config.json text (the inverse of {@link #fromJson}). */
    public String toJson() {
        JsonObject o = new JsonObject();
        JsonArray archs = new JsonArray();
        archs.add(architecture.hfClassName());
        o.add("architectures", archs);
        o.addProperty("model_type", architecture.modelType());
        o.addProperty("vocab_size", vocabSize);
        if (architecture == Architecture.GPT2) {
            o.addProperty("n_embd", hiddenSize);
            o.addProperty("n_inner", intermediateSize);
            o.addProperty("n_layer", numLayers);
            o.addProperty("n_head", numHeads);
            o.addProperty("n_positions", maxPositions);
            o.addProperty("n_ctx", maxPositions);
            o.addProperty("layer_norm_epsilon", normEps);
            o.addProperty("activation_function", activation.hfName());
            o.addProperty("tie_word_embeddings", tieWordEmbeddings);
        } else {
            o.addProperty("hidden_size", hiddenSize);
            o.addProperty("intermediate_size", intermediateSize);
            o.addProperty("num_hidden_layers", numLayers);
            o.addProperty("num_attention_heads", numHeads);
            o.addProperty("num_key_value_heads", numKeyValueHeads);
            o.addProperty("head_dim", headDim);
            o.addProperty("max_position_embeddings", maxPositions);
            o.addProperty("rms_norm_eps", normEps);
            o.addProperty("rope_theta", ropeTheta);
            if (ropeScaling.kind() != RopeScaling.Kind.NONE) {
                JsonObject s = new JsonObject();
                s.addProperty("rope_type", ropeScaling.kind() == RopeScaling.Kind.LINEAR ? "linear" : "llama3");
                s.addProperty("factor", ropeScaling.factor());
                if (ropeScaling.kind() == RopeScaling.Kind.LLAMA3) {
                    s.addProperty("low_freq_factor", ropeScaling.lowFreqFactor());
                    s.addProperty("high_freq_factor", ropeScaling.highFreqFactor());
                    s.addProperty("original_max_position_embeddings", ropeScaling.originalMaxPositions());
                }
                o.add("rope_scaling", s);
            }
            o.addProperty("hidden_act", activation.hfName());
            o.addProperty("tie_word_embeddings", tieWordEmbeddings);
            if (architecture == Architecture.LLAMA) {
                o.addProperty("attention_bias", qkvBias);
                o.addProperty("mlp_bias", mlpBias);
            }
        }
        if (bosTokenId >= 0) {
            o.addProperty("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            o.addProperty("eos_token_id", eosTokenIds.get(0));
        } else if (!eosTokenIds.isEmpty()) {
            JsonArray eos = new JsonArray();
            eosTokenIds.forEach(eos::add);
            o.add("eos_token_id", eos);
        }
        if (padTokenId >= 0) {
            o.addProperty("pad_token_id", padTokenId);
        }
        o.addProperty("torch_dtype", "float32");
        Gson gson = new GsonBuilder().setPrettyPrinting().create();
        return gson.toJson(o) + "\n";
    }

    private static JsonElement field(JsonObject json, String name) {
        JsonElement e = json.get(name);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("missing field " + name);
        }
        return e;
    }

    static int reqInt(JsonObject json, String name) {
        JsonElement e = field(json, name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("field " + name + ": expected an integer, got " + e);
        }
        double d = e.getAsDouble();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("field " + name + ": expected an integer, got " + e);
        }
        return (int) d;
    }

    static double reqDouble(JsonObject json, String name) {
        JsonElement e = field(json, name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("field " + name + ": expected a number, got " + e);
        }
        return e.getAsDouble();
    }

    static String reqString(JsonObject json, String name) {
        JsonElement e = field(json, name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("field " + name + ": expected a string, got " + e);
        }
        return e.getAsString();
    }

    private static String optString(JsonObject json, String name) {
        return json.has(name) && !json.get(name).isJsonNull() ? reqString(json, name) : null;
    }

    private static boolean optBool(JsonObject json, String name, boolean fallback) {
        if (!json.has(name) || json.get(name).isJsonNull()) {
            return fallback;
        }
        JsonElement e = json.get(name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new IllegalArgumentException("field " + name + ": expected true or false, got " + e);
        }
        return e.getAsBoolean();
    }

    private static int optTokenId(JsonObject json, String name) {
        return json.has(name) && !json.get(name).isJsonNull() ? reqInt(json, name) : -1;
    }

    /** An id or a list of ids (Llama 3's {@code eos_token_id: [128001, 128009]}). */
    static List<Integer> tokenIds(JsonObject json, String name) {
        if (!json.has(name) || json.get(name).isJsonNull()) {
            return List.of();
        }
        JsonElement e = json.get(name);
        List<Integer> ids = new ArrayList<>();
        if (e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()
                        || x.getAsDouble() != Math.rint(x.getAsDouble()) || Math.abs(x.getAsDouble()) > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("field " + name + ": expected integers, got " + e);
                }
                ids.add(x.getAsInt());
            }
        } else {
            ids.add(reqInt(json, name));
        }
        return ids;
    }
}
