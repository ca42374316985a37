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

    /** A tensor's role by its HF name: norms are scales near 1, biases small offsets, the rest matrices. */
    private static Kind kindOf(String name) {
        if (name.endsWith(".bias")) {
            return Kind.BIAS;
        }
        boolean norm = name.contains("norm") || name.contains("ln_");
        return norm ? Kind.NORM : Kind.MATRIX;
    }

    private static List<Tensor> tensors(ModelConfig config) {
        List<Tensor> tensors = new ArrayList<>();
        WeightLayout.shapes(config).forEach((name, shape) -> tensors.add(new Tensor(name, shape, kindOf(name))));
        return tensors;
    }
}
