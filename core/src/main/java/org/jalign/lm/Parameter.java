package org.jalign.lm;

import ai.djl.ndarray.NDArray;

/**
 * A trainable array of a model, by name. Names are Hugging Face's where the array is stored as HF
 * stores it; fused arrays get a descriptive name (e.g. {@code model.layers.0.self_attn.qkv_proj.weight}
 * for the stacked q/k/v projections).
 */
public record Parameter(String name, NDArray array) {
}
