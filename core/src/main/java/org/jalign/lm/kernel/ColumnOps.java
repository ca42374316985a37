package org.jalign.lm.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;

/**
 * The per-token operations of a Llama-family decode step, on feature-major arrays (features ×
 * {@code width} columns, one column per sequence; see {@link MatMul}). Each is written to compute
 * what {@code lm.llama.LlamaModel} computes with DJL ops, in the same order of operations, so the
 * two paths agree to float32 rounding.
 */
public final class ColumnOps {
    private static final VectorSpecies<Float> F = MatMul.F;
    private static final int L = MatMul.LANES;

    private ColumnOps() {
    }

    /**
     * RMSNorm (Zhang and Sennrich 2019): out = x / √(mean over features of x² + ε) ⊙ weight, per column.
     *
     * @param x      (features, width)
     * @param weight (features)
     */
    public static void rmsNorm(float[] x, Matrix weight, float eps, float[] out, int features, int width) {
        ByteBuffer w = weight.data();
        for (int p = 0; p < width; p += L) {
            FloatVector sum = FloatVector.zero(F);
            for (int i = 0, at = p; i < features; i++, at += width) {
                FloatVector v = FloatVector.fromArray(F, x, at);
                sum = v.fma(v, sum);
            }
            FloatVector rms = sum.div(features).add(eps).sqrt();
            for (int i = 0, at = p; i < features; i++, at += width) {
                FloatVector.fromArray(F, x, at).div(rms).mul(w.getFloat(i * Float.BYTES)).intoArray(out, at);
            }
        }
    }

    /**
     * Rotary position embedding (Su et al. 2021) in Hugging Face's rotate-half layout, in place on
     * {@code heads} consecutive heads of {@code headDim} rows starting at row {@code firstRow}:
     * for i &lt; d/2, (x_i, x_{i+d/2}) ← (x_i·cos − x_{i+d/2}·sin, x_{i+d/2}·cos + x_i·sin).
     *
     * @param cos (headDim/2, width): each column's cos(position·θ_i), gathered once per step
     * @param sin (headDim/2, width)
     */
    public static void rope(float[] x, int firstRow, int heads, int headDim, float[] cos, float[] sin, int width) {
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            int base = (firstRow + h * headDim) * width;
            for (int i = 0; i < half; i++) {
                int lo = base + i * width;
                int hi = lo + half * width;
                for (int p = 0; p < width; p += L) {
                    FloatVector c = FloatVector.fromArray(F, cos, i * width + p);
                    FloatVector s = FloatVector.fromArray(F, sin, i * width + p);
                    FloatVector x1 = FloatVector.fromArray(F, x, lo + p);
                    FloatVector x2 = FloatVector.fromArray(F, x, hi + p);
                    x1.mul(c).add(x2.neg().mul(s)).intoArray(x, lo + p);
                    x2.mul(c).add(x1.mul(s)).intoArray(x, hi + p);
                }
            }
        }
    }

    /**
     * The SiLU-gated MLP's middle (Shazeer 2020): out = sigmoid(gate)·gate·up, with gate in rows
     * [0, n) and up in rows [n, 2n) of {@code gateUp}.
     */
    public static void siluGate(float[] gateUp, int n, float[] out, int width) {
        int upOffset = n * width;
        for (int at = 0; at < n * width; at += L) {
            FloatVector g = FloatVector.fromArray(F, gateUp, at);
            FloatVector sigmoid = g.neg().lanewise(VectorOperators.EXP).add(1f);
            FloatVector.broadcast(F, 1f).div(sigmoid).mul(g).mul(FloatVector.fromArray(F, gateUp, upOffset + at))
                    .intoArray(out, at);
        }
    }

    /** Scratch space for {@link #attend}, one per thread. */
    public static final class AttentionScratch {
        final float[] query;
        final float[] scores;
        final float[] sum;

        public AttentionScratch(int headDim, int capacity) {
            this.query = new float[headDim];
            this.scores = new float[(capacity + L - 1) / L * L];
            this.sum = new float[headDim];
        }
    }

    /**
     * Scaled dot-product attention of one sequence's query heads that share one key/value head,
     * over that sequence's cached slots [first, last]: softmax(q·kᵀ·scale)·v. Slots before
     * {@code first} are left padding; skipping them is what the additive −1e9 mask of the DJL path
     * amounts to (their weights underflow to exactly 0).
     *
     * @param qkv         feature-major projections (rows, width); the group's queries are heads
     *                    [queryHead, queryHead + group) of hd rows each, read in column {@code column}
     * @param keys        the cache of this sequence and key/value head: slot s at [base + s·hd, +hd)
     * @param out         feature-major (H·hd, width): the heads' results, written in column {@code column}
     */
    public static void attend(float[] qkv, int width, int column, int queryHead, int group, int headDim,
                              float[] keys, float[] values, int base, int first, int last, float scale,
                              float[] out, AttentionScratch scratch) {
        float[] q = scratch.query;
        float[] scores = scratch.scores;
        float[] sum = scratch.sum;
        int bound = F.loopBound(headDim);
        for (int h = queryHead; h < queryHead + group; h++) {
            for (int d = 0; d < headDim; d++) {
                q[d] = qkv[(h * headDim + d) * width + column] * scale;
            }
            // 1. scores and their maximum
            float max = Float.NEGATIVE_INFINITY;
            for (int s = first; s <= last; s++) {
                int k = base + s * headDim;
                FloatVector acc = FloatVector.zero(F);
                int d = 0;
                for (; d < bound; d += L) {
                    acc = FloatVector.fromArray(F, q, d).fma(FloatVector.fromArray(F, keys, k + d), acc);
                }
                float score = acc.reduceLanes(VectorOperators.ADD);
                for (; d < headDim; d++) {
                    score += q[d] * keys[k + d];
                }
                scores[s - first] = score;
                max = Math.max(max, score);
            }
            // 2. softmax: exp(score − max) / Σ
            int count = last - first + 1;
            float total = 0;
            int s = 0;
            for (; s < F.loopBound(count); s += L) {
                FloatVector e = FloatVector.fromArray(F, scores, s).sub(max).lanewise(VectorOperators.EXP);
                e.intoArray(scores, s);
                total += e.reduceLanes(VectorOperators.ADD);
            }
            for (; s < count; s++) {
                scores[s] = (float) Math.exp(scores[s] - max);
                total += scores[s];
            }
            // 3. the weighted sum of values, L features at a time with the sum in a register
            float inverseTotal = 1f / total;
            for (s = 0; s < count; s++) {
                scores[s] *= inverseTotal;
            }
            int d = 0;
            for (; d < bound; d += L) {
                FloatVector acc = FloatVector.zero(F);
                for (int slot = first, v = base + first * headDim + d; slot <= last; slot++, v += headDim) {
                    acc = FloatVector.fromArray(F, values, v).fma(FloatVector.broadcast(F, scores[slot - first]), acc);
                }
                acc.intoArray(sum, d);
            }
            for (; d < headDim; d++) {
                float acc = 0;
                for (int slot = first; slot <= last; slot++) {
                    acc += scores[slot - first] * values[base + slot * headDim + d];
                }
                sum[d] = acc;
            }
            for (d = 0; d < headDim; d++) {
                out[(h * headDim + d) * width + column] = sum[d];
            }
        }
    }
}
