package org.jalign.bench;

import org.jalign.lm.Activation;
import org.jalign.lm.Architecture;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.RopeScaling;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Llama-family configs from a short spec such as {@code hidden=512,layers=8,heads=8,vocab=8000}
 * (also {@code kv-heads}, {@code intermediate}, {@code positions}). Unset intermediate follows
 * Llama's rule: ⌈(8/3·hidden)/64⌉·64, e.g. 1408 for hidden 512.
 */
public final class SyntheticModels {
    private SyntheticModels() {
    }

    public static ModelConfig parse(String spec) {
        Map<String, Integer> values = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=");
            if (kv.length != 2) {
                throw new IllegalArgumentException("--synthetic: expected key=value, got \"" + part + "\"");
            }
            String key = kv[0].trim();
            if (!List.of("hidden", "layers", "heads", "kv-heads", "vocab", "intermediate", "positions").contains(key)) {
                throw new IllegalArgumentException("--synthetic: unknown key \"" + key
                        + "\"; expected hidden, layers, heads, kv-heads, vocab, intermediate, positions");
            }
            try {
                values.put(key, Integer.parseInt(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--synthetic: " + key + " must be an integer, got \"" + kv[1] + "\"");
            }
        }
        int hidden = values.getOrDefault("hidden", 512);
        int heads = values.getOrDefault("heads", 8);
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("--synthetic: hidden (" + hidden + ") must be divisible by heads (" + heads + ")");
        }
        int intermediate = values.getOrDefault("intermediate", (int) Math.ceil(hidden * 8.0 / 3 / 64) * 64);
        return new ModelConfig(Architecture.LLAMA, values.getOrDefault("vocab", 8000), hidden, intermediate,
                values.getOrDefault("layers", 8), heads, values.getOrDefault("kv-heads", heads), hidden / heads,
                values.getOrDefault("positions", 2048), 1e-5, 10000, RopeScaling.NONE, Activation.SILU, false,
                false, false, false, 1, List.of(2), 0);
    }
}
