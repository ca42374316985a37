package org.jalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A decoder-only transformer, one implementation per architecture family (package
 * {@code lm.llama}, {@code lm.gpt2}). Shapes: B batch rows, T new tokens, S = past + T slots.
 *
 * <p>Every array returned belongs to the manager of {@code inputIds}: callers scope a step by
 * creating its inputs in a sub-manager and closing it afterwards.
 */
public interface DecoderModel extends AutoCloseable {

    ModelConfig config();

    /** The manager that owns the weights. */
    NDManager manager();

    /**
     * Final-norm hidden states.
     *
     * @param inputIds      (B, T) int64
     * @param positionIds   (B, T) int64: cumsum(mask) − 1, so left padding never shifts a sequence
     * @param attentionMask (B, S) float32, 1 for real tokens, 0 for padding; S = past + T
     * @param cache         the KV cache to read the past from and append to, or null (past = 0)
     * @return (B, T, C)
     */
    NDArray hiddenStates(NDArray inputIds, NDArray positionIds, NDArray attentionMask, KvCache cache);

    /** Projects hidden states (…, C) to vocabulary logits (…, V). */
    NDArray logits(NDArray hidden);

    /** Every trainable array (weights, biases, norm scales), each once even when tied. */
    java.util.List<Parameter> parameters();

    /**
     * The current weights under their Hugging Face names and layouts (fused arrays split, Conv1D
     * kept [in, out]), copied to the host: what {@link WeightLayout#shapes} lists for the config.
     */
    java.util.Map<String, float[]> exportWeights();

    /** The projections that can carry LoRA adapters: HF module path → {in, out} features. */
    java.util.Map<String, long[]> projections();

    /** True when projection weights are stored [in, out] (GPT-2's Conv1D; PEFT's fan_in_fan_out). */
    boolean projectionsStoredInOut();

    /** Attaches adapters (null detaches them); the model applies them while they are enabled. */
    void setAdapters(org.jalign.lm.lora.LoraAdapters adapters);

    /** The attached adapters, or null. */
    org.jalign.lm.lora.LoraAdapters adapters();

    /**
     * Adds every adapter's (α/r)·B·A into its base weight, then detaches and closes the adapters:
     * the merged model computes what base + adapters computed, with no adapter cost.
     */
    void mergeAdapters();

    /** A cache for {@code batch} rows of up to {@code capacity} slots. */
    KvCache newCache(NDManager manager, int batch, int capacity);

    /**
     * The decode loop's model side for one generate call of {@code rows} rows and up to
     * {@code capacity} slots. This default serves every family through DJL; a family with a faster
     * path overrides it for the engines that select it.
     *
     * @param argMaxOnly the caller needs only each row's argmax (greedy, no repetition penalty)
     * @throws IllegalStateException when {@code engine} is {@code JAVA} and the model has no Java path
     */
    default DecodeSession newDecodeSession(int rows, int capacity, boolean argMaxOnly, DecodeEngine engine) {
        if (engine == DecodeEngine.JAVA) {
            throw new IllegalStateException("the Java decode path serves Llama and Qwen2 models; this is "
                    + config().architecture() + ": use the DJL or AUTO engine");
        }
        return new DjlDecodeSession(this, rows, capacity, argMaxOnly);
    }

    @Override
    void close();
}
