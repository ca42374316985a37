package org.jalign.lm.optim;

import ai.djl.ndarray.NDArray;

import java.util.Locale;
import java.util.Objects;

/**
 * One tensor the optimizer updates in place, under its Hugging Face name.
 *
 * <p>Named {@code TrainableParameter}, not {@code Parameter}, so it never collides with
 * {@code ai.djl.nn.Parameter} in a file that uses both.
 *
 * @param name   the checkpoint name, e.g. {@code model.layers.0.self_attn.q_proj.weight}; it keys
 *               the optimizer state, so it must be unique and stable across runs
 * @param values the weights, float32 or float64, with {@code setRequiresGradient(true)}
 * @param decay  whether decoupled weight decay applies (see {@link #decaysByDefault})
 */
public record TrainableParameter(String name, NDArray values, boolean decay) {

    public TrainableParameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(values, "values");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a trainable parameter needs a non-blank name");
        }
    }

    /** A parameter whose decay follows {@link #decaysByDefault(String, int)}. */
    public static TrainableParameter of(String name, NDArray values) {
        return new TrainableParameter(name, values, decaysByDefault(name, values.getShape().dimension()));
    }

    /**
     * The usual rule for which weights get weight decay: matrices do, biases and normalisation
     * weights do not.
     *
     * <p>A parameter decays when its rank is ≥ 2 (nanoGPT's {@code configure_optimizers}: "all
     * weight tensors in matmuls + embeddings decay, all biases and layernorms don't") and its name
     * names neither a bias nor a norm (Hugging Face {@code Trainer.get_decay_parameter_names},
     * which TRL inherits, excludes names containing {@code bias} and LayerNorm/RMSNorm weights).
     * The name check covers the norm spellings of the supported families: {@code norm}
     * ({@code input_layernorm}, {@code post_attention_layernorm}, {@code model.norm}) and GPT-2's
     * {@code ln_1}, {@code ln_2}, {@code ln_f}. Embeddings and the LM head are matrices and decay,
     * as in both sources.
     */
    public static boolean decaysByDefault(String name, int rank) {
        if (rank < 2) {
            return false;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return !lower.contains("bias") && !lower.contains("norm") && !isGpt2LayerNorm(lower);
    }

    private static boolean isGpt2LayerNorm(String lowerName) {
        // a dotted path component "ln_<something>", e.g. transformer.h.0.ln_1.weight, transformer.ln_f.weight
        for (String part : lowerName.split("\\.")) {
            if (part.startsWith("ln_")) {
                return true;
            }
        }
        return false;
    }
}
