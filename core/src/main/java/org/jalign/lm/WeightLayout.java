package org.jalign.lm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Every tensor a config implies, by its Hugging Face name and shape, and a fresh initialisation.
 * Used to build models from scratch (pretraining, synthetic benchmarks) and to check checkpoints.
 */
public final class WeightLayout {
    private WeightLayout() {
    }

    /** Name → shape, in the order HF writes them. */
    public static Map<String, long[]> shapes(ModelConfig config) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long c = config.hiddenSize();
        long inter = config.intermediateSize();
        long vocab = config.vocabSize();
        if (config.architecture() == Architecture.GPT2) {
            s.put("wte.weight", new long[] {vocab, c});
            s.put("wpe.weight", new long[] {config.maxPositions(), c});
            for (int i = 0; i < config.numLayers(); i++) {
                String p = "h." + i + ".";
                s.put(p + "ln_1.weight", new long[] {c});
                s.put(p + "ln_1.bias", new long[] {c});
                s.put(p + "attn.c_attn.weight", new long[] {c, 3 * c});
                s.put(p + "attn.c_attn.bias", new long[] {3 * c});
                s.put(p + "attn.c_proj.weight", new long[] {c, c});
                s.put(p + "attn.c_proj.bias", new long[] {c});
                s.put(p + "ln_2.weight", new long[] {c});
                s.put(p + "ln_2.bias", new long[] {c});
                s.put(p + "mlp.c_fc.weight", new long[] {c, inter});
                s.put(p + "mlp.c_fc.bias", new long[] {inter});
                s.put(p + "mlp.c_proj.weight", new long[] {inter, c});
                s.put(p + "mlp.c_proj.bias", new long[] {c});
            }
            s.put("ln_f.weight", new long[] {c});
            s.put("ln_f.bias", new long[] {c});
        } else {
            long q = (long) config.numHeads() * config.headDim();
            long kv = (long) config.numKeyValueHeads() * config.headDim();
            s.put("model.embed_tokens.weight", new long[] {vocab, c});
            for (int i = 0; i < config.numLayers(); i++) {
                String p = "model.layers." + i + ".";
                s.put(p + "input_layernorm.weight", new long[] {c});
                s.put(p + "self_attn.q_proj.weight", new long[] {q, c});
                s.put(p + "self_attn.k_proj.weight", new long[] {kv, c});
                s.put(p + "self_attn.v_proj.weight", new long[] {kv, c});
                if (config.qkvBias()) {
                    s.put(p + "self_attn.q_proj.bias", new long[] {q});
                    s.put(p + "self_attn.k_proj.bias", new long[] {kv});
                    s.put(p + "self_attn.v_proj.bias", new long[] {kv});
                }
                s.put(p + "self_attn.o_proj.weight", new long[] {c, q});
                if (config.outputBias()) {
                    s.put(p + "self_attn.o_proj.bias", new long[] {c});
                }
                s.put(p + "post_attention_layernorm.weight", new long[] {c});
                s.put(p + "mlp.gate_proj.weight", new long[] {inter, c});
                s.put(p + "mlp.up_proj.weight", new long[] {inter, c});
                s.put(p + "mlp.down_proj.weight", new long[] {c, inter});
                if (config.mlpBias()) {
                    s.put(p + "mlp.gate_proj.bias", new long[] {inter});
                    s.put(p + "mlp.up_proj.bias", new long[] {inter});
                    s.put(p + "mlp.down_proj.bias", new long[] {c});
                }
            }
            s.put("model.norm.weight", new long[] {c});
        }
        if (!config.tieWordEmbeddings()) {
            s.put("lm_head.weight", new long[] {vocab, c});
        }
        return s;
    }

    /**
     * HF's default initialisation ({@code _init_weights}): matrices N(0, std), usually std 0.02;
     * norm weights 1, biases 0.
     */
    public static Map<String, float[]> initialise(ModelConfig config, double std, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes(config).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            float[] values = new float[Math.toIntExact(n)];
            boolean norm = name.contains("norm") || name.contains("ln_");
            if (norm && name.endsWith(".weight")) {
                java.util.Arrays.fill(values, 1f);
            } else if (!name.endsWith(".bias")) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * std);
                }
            }
            weights.put(name, values);
        }
        return weights;
    }
}
