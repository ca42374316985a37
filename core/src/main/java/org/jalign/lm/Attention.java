package org.jalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Scaled dot-product attention with grouped-query heads, shared by every architecture.
 *
 * <p>Grouped-query attention without repeating keys: the G = H/KV query heads that share a key
 * head are stacked along the time axis, (B, KV, G·T, hd) × (B, KV, hd, S), so one batched matmul
 * serves the group and no (B, H, S, hd) copy of the cache is made (HF's {@code repeat_kv} makes one).
 */
public final class Attention {

    /** Added to the score of a masked key; large enough that exp underflows to 0, finite so
     *  a fully masked row (a left pad's query) gives a uniform, not NaN, distribution. */
    public static final float MASKED = -1e9f;

    private Attention() {
    }

    /**
     * The additive mask for T queries at slots [past, past+T) over S = past+T keys: a key is
     * visible when it is real (mask 1) and not in the future.
     *
     * @param attentionMask (B, S) float32, 1 real, 0 pad
     * @return (B, 1, 1, T, S), broadcastable over (B, KV, G, T, S)
     */
    public static NDArray additiveMask(NDArray attentionMask, int queries, int past) {
        NDManager m = attentionMask.getManager();
        long batch = attentionMask.getShape().get(0);
        int keys = (int) attentionMask.getShape().get(1);
        if (keys != past + queries) {
            throw new IllegalArgumentException("attention mask covers " + keys + " slots, expected past " + past
                    + " + new " + queries);
        }
        // (mask − 1)·1e9: 0 for real slots, −1e9 for padding
        NDArray padding = attentionMask.sub(m.create(1f)).mul(m.create(-MASKED)).reshape(batch, 1, 1, 1, keys);
        if (queries == 1) {
            return padding; // one new token sees every filled slot: nothing is in its future
        }
        float[] causal = new float[queries * keys];
        for (int t = 0; t < queries; t++) {
            for (int s = past + t + 1; s < keys; s++) {
                causal[t * keys + s] = MASKED;
            }
        }
        return padding.add(m.create(causal, new Shape(1, 1, 1, queries, keys)));
    }

    /**
     * softmax(q·kᵀ/√hd + mask)·v.
     *
     * @param queries (B, T, H, hd)
     * @param keys    (B, KV, S, hd)
     * @param values  (B, KV, S, hd)
     * @param mask    (B, 1, 1, T, S) from {@link #additiveMask}
     * @param scale   the scalar 1/√hd, created once per forward (a scalar made per call costs more
     *                than the multiply)
     * @return (B, T, H·hd)
     */
    public static NDArray attend(NDArray queries, NDArray keys, NDArray values, NDArray mask, NDArray scale) {
        Shape qs = queries.getShape();
        long b = qs.get(0);
        long t = qs.get(1);
        long h = qs.get(2);
        long hd = qs.get(3);
        long kv = keys.getShape().get(1);
        long s = keys.getShape().get(2);
        long g = h / kv;
        if (t == 1) {
            // Decoding: (B, 1, H, hd) is already (B, KV, G, hd) in memory, so no transposes.
            NDArray q = queries.reshape(b, kv, g, hd).mul(scale);
            NDArray weights = q.matMul(keys.transpose(0, 1, 3, 2))  // (B, KV, G, S)
                    .add(mask.reshape(b, 1, 1, s))
                    .softmax(-1);
            return weights.matMul(values).reshape(b, 1, h * hd);     // (B, KV, G, hd) → (B, 1, H·hd)
        }
        NDArray q = queries.mul(scale)
                .reshape(b, t, kv, g, hd)
                .transpose(0, 2, 3, 1, 4)                      // (B, KV, G, T, hd)
                .reshape(b, kv, g * t, hd);
        NDArray scores = q.matMul(keys.transpose(0, 1, 3, 2))  // (B, KV, G·T, S)
                .reshape(b, kv, g, t, s)
                .add(mask)
                .softmax(-1)
                .reshape(b, kv, g * t, s);
        return scores.matMul(values)                            // (B, KV, G·T, hd)
                .reshape(b, kv, g, t, hd)
                .transpose(0, 3, 1, 2, 4)                       // (B, T, KV, G, hd)
                .reshape(b, t, h * hd);
    }

    /**
     * As {@link #attend}, with queries already grouped by the key head they share.
     *
     * @param queries (B, KV, G, T, hd)
     * @param keys    (B, KV, S, hd)
     * @param values  (B, KV, S, hd)
     * @param mask    (B, 1, 1, T, S)
     * @return (B, KV, G, T, hd)
     */
    public static NDArray attendGrouped(NDArray queries, NDArray keys, NDArray values, NDArray mask, NDArray scale) {
        Shape qs = queries.getShape();
        long b = qs.get(0);
        long kv = qs.get(1);
        long g = qs.get(2);
        long t = qs.get(3);
        long hd = qs.get(4);
        long s = keys.getShape().get(2);
        NDArray q = queries.reshape(b, kv, g * t, hd).mul(scale);
        NDArray weights = q.matMul(keys.transpose(0, 1, 3, 2))   // (B, KV, G·T, S)
                .reshape(b, kv, g, t, s)
                .add(mask)
                .softmax(-1)
                .reshape(b, kv, g * t, s);
        return weights.matMul(values).reshape(b, kv, g, t, hd);
    }
}
