package org.jalign.lm;

import org.jalign.lm.safetensors.DType;
import org.jalign.lm.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Tiny random Hugging Face checkpoints for model tests: every tensor under its Hugging Face name
 * and shape, as {@code transformers} would save it for the config's architecture.
 *
 * <p>Values: matrices and embeddings N(0, std) (default 0.3, far above the usual 0.02 so a tiny
 * model's logits are not all near uniform), norm weights 1 + 0.1·N(0, 1), biases 0.1·N(0, 1),
 * all drawn from one {@code java.util.Random(seed)} in {@link #shapes} order.
 */
public final class TinyCheckpoints {

    /** Default weight standard deviation for tiny models. */
    public static final double DEFAULT_STD = 0.3;

    private TinyCheckpoints() {
    }

    private enum Kind { MATRIX, NORM, BIAS }

    private record Tensor(String name, long[] shape, Kind kind) {
    }

    /** Llama-shaped: 61 tokens, hidden 32, 2 layers, 4 query heads sharing 2 key/value heads, untied head. */
    public static ModelConfig tinyLlama() {
        return new ModelConfig(Architecture.LLAMA, 61, 32, 48, 2, 4, 2, 8, 64, 1e-5, 10000.0,
                RopeScaling.NONE, Activation.SILU, false, false, false, false, 1, List.of(2), -1);
    }

    /** Qwen2-shaped: as {@link #tinyLlama} with q/k/v biases, eps 1e-6 and tied embeddings (as Qwen2-0.5B). */
    public static ModelConfig tinyQwen2() {
        return new ModelConfig(Architecture.QWEN2, 61, 32, 48, 2, 4, 2, 8, 64, 1e-6, 10000.0,
                RopeScaling.NONE, Activation.SILU, true, true, false, false, 1, List.of(2), -1);
    }

    /** GPT-2-shaped: 61 tokens, hidden 32, 2 layers, 4 heads, inner 64, 64 positions, tied head. */
    public static ModelConfig tinyGpt2() {
        return new ModelConfig(Architecture.GPT2, 61, 32, 64, 2, 4, 4, 8, 64, 1e-5, 0,
                RopeScaling.NONE, Activation.GELU_NEW, true, true, true, true, 1, List.of(2), -1);
    }

    /** Every tensor's Hugging Face name and shape, in the order {@code transformers} lists them. */
    public static Map<String, long[]> shapes(ModelConfig config) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Tensor t : tensors(config)) {
            shapes.put(t.name(), t.shape().clone());
        }
        return shapes;
    }

    /** Random weights with std {@value #DEFAULT_STD}; same seed, same weights. */
    public static Map<String, float[]> randomWeights(ModelConfig config, long seed) {
        return randomWeights(config, seed, DEFAULT_STD);
    }

    /** Random weights: matrices N(0, std), norm weights 1 + 0.1·N(0, 1), biases 0.1·N(0, 1). */
    public static Map<String, float[]> randomWeights(ModelConfig config, long seed, double std) {
        Random random = new Random(seed);
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (Tensor t : tensors(config)) {
            long count = 1;
            for (long d : t.shape()) {
                count *= d;
            }
            float[] values = new float[Math.toIntExact(count)];
            for (int i = 0; i < values.length; i++) {
                double z = random.nextGaussian();
                values[i] = (float) switch (t.kind()) {
                    case MATRIX -> std * z;
                    case NORM -> 1 + 0.1 * z;
                    case BIAS -> 0.1 * z;
                };
            }
            weights.put(t.name(), values);
        }
        return weights;
    }

    /** Writes {@code config.json} and an F32 {@code model.safetensors} into {@code dir}; returns {@code dir}. */
    public static Path write(Path dir, ModelConfig config, long seed) throws IOException {
        return write(dir, config, seed, "", DType.F32);
    }

    /**
     * As {@link #write(Path, ModelConfig, long)}, with {@code namePrefix} put before every name
     * except {@code lm_head.weight} (real GPT-2 checkpoints sometimes say {@code transformer.wte.weight})
     * and the values stored as {@code dtype} (F32, F16 or BF16; rounded to nearest even).
     */
    public static Path write(Path dir, ModelConfig config, long seed, String namePrefix, DType dtype) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), config.toJson(), StandardCharsets.UTF_8);
        Map<String, long[]> shapes = shapes(config);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, float[]> w : randomWeights(config, seed).entrySet()) {
            String name = w.getKey().equals("lm_head.weight") ? w.getKey() : namePrefix + w.getKey();
            entries.add(new SafetensorsWriter.Entry(name, dtype, shapes.get(w.getKey()), w.getValue()));
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), entries, Map.of("format", "pt"));
        return dir;
    }

    private static List<Tensor> tensors(ModelConfig config) {
        return config.architecture() == Architecture.GPT2 ? gpt2(config) : llamaLike(config);
    }

    /** Llama and Qwen2 (LlamaForCausalLM / Qwen2ForCausalLM); Linear weights are [out, in]. */
    private static List<Tensor> llamaLike(ModelConfig config) {
        long v = config.vocabSize();
        long c = config.hiddenSize();
        long inner = config.intermediateSize();
        long q = (long) config.numHeads() * config.headDim();
        long kv = (long) config.numKeyValueHeads() * config.headDim();
        List<Tensor> t = new ArrayList<>();
        t.add(new Tensor("model.embed_tokens.weight", new long[] {v, c}, Kind.MATRIX));
        for (int i = 0; i < config.numLayers(); i++) {
            String attention = "model.layers." + i + ".self_attn.";
            t.add(new Tensor(attention + "q_proj.weight", new long[] {q, c}, Kind.MATRIX));
            if (config.qkvBias()) {
                t.add(new Tensor(attention + "q_proj.bias", new long[] {q}, Kind.BIAS));
            }
            t.add(new Tensor(attention + "k_proj.weight", new long[] {kv, c}, Kind.MATRIX));
            if (config.qkvBias()) {
                t.add(new Tensor(attention + "k_proj.bias", new long[] {kv}, Kind.BIAS));
            }
            t.add(new Tensor(attention + "v_proj.weight", new long[] {kv, c}, Kind.MATRIX));
            if (config.qkvBias()) {
                t.add(new Tensor(attention + "v_proj.bias", new long[] {kv}, Kind.BIAS));
            }
            t.add(new Tensor(attention + "o_proj.weight", new long[] {c, q}, Kind.MATRIX));
            if (config.outputBias()) {
                t.add(new Tensor(attention + "o_proj.bias", new long[] {c}, Kind.BIAS));
            }
            String mlp = "model.layers." + i + ".mlp.";
            t.add(new Tensor(mlp + "gate_proj.weight", new long[] {inner, c}, Kind.MATRIX));
            if (config.mlpBias()) {
                t.add(new Tensor(mlp + "gate_proj.bias", new long[] {inner}, Kind.BIAS));
            }
            t.add(new Tensor(mlp + "up_proj.weight", new long[] {inner, c}, Kind.MATRIX));
            if (config.mlpBias()) {
                t.add(new Tensor(mlp + "up_proj.bias", new long[] {inner}, Kind.BIAS));
            }
            t.add(new Tensor(mlp + "down_proj.weight", new long[] {c, inner}, Kind.MATRIX));
            if (config.mlpBias()) {
                t.add(new Tensor(mlp + "down_proj.bias", new long[] {c}, Kind.BIAS));
            }
            t.add(new Tensor("model.layers." + i + ".input_layernorm.weight", new long[] {c}, Kind.NORM));
            t.add(new Tensor("model.layers." + i + ".post_attention_layernorm.weight", new long[] {c}, Kind.NORM));
        }
        t.add(new Tensor("model.norm.weight", new long[] {c}, Kind.NORM));
        if (!config.tieWordEmbeddings()) {
            t.add(new Tensor("lm_head.weight", new long[] {v, c}, Kind.MATRIX));
        }
        return t;
    }

    /** GPT-2 (GPT2LMHeadModel); its Conv1D layers store weights as [in, out]. */
    private static List<Tensor> gpt2(ModelConfig config) {
        long v = config.vocabSize();
        long c = config.hiddenSize();
        long inner = config.intermediateSize();
        List<Tensor> t = new ArrayList<>();
        t.add(new Tensor("wte.weight", new long[] {v, c}, Kind.MATRIX));
        t.add(new Tensor("wpe.weight", new long[] {config.maxPositions(), c}, Kind.MATRIX));
        for (int i = 0; i < config.numLayers(); i++) {
            String h = "h." + i + ".";
            t.add(new Tensor(h + "ln_1.weight", new long[] {c}, Kind.NORM));
            t.add(new Tensor(h + "ln_1.bias", new long[] {c}, Kind.BIAS));
            t.add(new Tensor(h + "attn.c_attn.weight", new long[] {c, 3 * c}, Kind.MATRIX));
            t.add(new Tensor(h + "attn.c_attn.bias", new long[] {3 * c}, Kind.BIAS));
            t.add(new Tensor(h + "attn.c_proj.weight", new long[] {c, c}, Kind.MATRIX));
            t.add(new Tensor(h + "attn.c_proj.bias", new long[] {c}, Kind.BIAS));
            t.add(new Tensor(h + "ln_2.weight", new long[] {c}, Kind.NORM));
            t.add(new Tensor(h + "ln_2.bias", new long[] {c}, Kind.BIAS));
            t.add(new Tensor(h + "mlp.c_fc.weight", new long[] {c, inner}, Kind.MATRIX));
            t.add(new Tensor(h + "mlp.c_fc.bias", new long[] {inner}, Kind.BIAS));
            t.add(new Tensor(h + "mlp.c_proj.weight", new long[] {inner, c}, Kind.MATRIX));
            t.add(new Tensor(h + "mlp.c_proj.bias", new long[] {c}, Kind.BIAS));
        }
        t.add(new Tensor("ln_f.weight", new long[] {c}, Kind.NORM));
        t.add(new Tensor("ln_f.bias", new long[] {c}, Kind.BIAS));
        if (!config.tieWordEmbeddings()) {
            t.add(new Tensor("lm_head.weight", new long[] {v, c}, Kind.MATRIX));
        }
        return t;
    }
}
