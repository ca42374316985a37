package org.jalign.lm.lora;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which projections get adapters and how large they are.
 *
 * @param rank          r, the inner dimension of B·A
 * @param alpha         the scale numerator: the update is (alpha / rank)·B·A (PEFT's lora_alpha)
 * @param dropout       dropout on the adapter's input while training (PEFT's lora_dropout)
 * @param targetModules module names matched against the last part of each projection's HF path,
 *                      e.g. q_proj, v_proj (Llama/Qwen2) or c_attn (GPT-2)
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targetModules) {

    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("lora.rank must be >= 1, got " + rank);
        }
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("lora.alpha must be > 0, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("lora.dropout must be in [0, 1), got " + dropout);
        }
        if (targetModules == null || targetModules.isEmpty()) {
            throw new IllegalArgumentException("lora.targets must name at least one module, e.g. q_proj,v_proj");
        }
        targetModules = List.copyOf(targetModules);
    }

    /** α/r, the factor on B·A. */
    public double scale() {
        return alpha / rank;
    }

    /** True when the projection at HF path {@code module} (e.g. model.layers.0.self_attn.q_proj) is targeted. */
    public boolean targets(String module) {
        String last = module.substring(module.lastIndexOf('.') + 1);
        return targetModules.contains(last);
    }

    /**
     * Parses {@code r=8,alpha=16,dropout=0.05,targets=q_proj,v_proj}: the values after
     * {@code targets=} run to the end. Defaults: alpha = 2r, dropout 0, targets q_proj,v_proj.
     */
    public static LoraConfig parse(String spec) {
        int rank = 8;
        Double alpha = null;
        double dropout = 0;
        List<String> targets = new ArrayList<>();
        boolean inTargets = false;
        for (String raw : spec.split(",")) {
            String part = raw.trim();
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = eq < 0 ? null : part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (key == null || (inTargets && !List.of("r", "rank", "alpha", "dropout", "targets").contains(key))) {
                if (!inTargets) {
                    throw new IllegalArgumentException("--lora: expected key=value, got \"" + part + "\"");
                }
                targets.add(part);
                continue;
            }
            String value = part.substring(eq + 1).trim();
            inTargets = false;
            try {
                switch (key) {
                    case "r", "rank" -> rank = Integer.parseInt(value);
                    case "alpha" -> alpha = Double.parseDouble(value);
                    case "dropout" -> dropout = Double.parseDouble(value);
                    case "targets" -> {
                        inTargets = true;
                        if (!value.isEmpty()) {
                            targets.add(value);
                        }
                    }
                    default -> throw new IllegalArgumentException("--lora: unknown key \"" + key
                            + "\"; expected r, alpha, dropout, targets");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--lora: " + key + " must be a number, got \"" + value + "\"");
            }
        }
        if (targets.isEmpty()) {
            targets = List.of("q_proj", "v_proj");
        }
        return new LoraConfig(rank, alpha == null ? 2.0 * rank : alpha, dropout, targets);
    }
}
