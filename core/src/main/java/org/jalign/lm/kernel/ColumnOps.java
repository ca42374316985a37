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
        final float[] lanes;

        public AttentionScratch(int headDim, int capacity) {
            this.query = new float[headDim];
            this.lanes = new float[L];
            this.scores = new float[capacity + 4 * L];
        }
    }

    /**
     * Scaled dot-product attention of one sequence's query heads that share one key/value head,
     * over that sequence's cached slots [first, last]: softmax(q·kᵀ·scale)·v. Slots before
     * {@code first} are left padding; skipping them is what the additive −1e9 mask of the DJL path
     * amounts to (their weights underflow to exactly 0).
     *
     * <p>Keys are cached transposed, (hd, capacity) per sequence and head, so the scores of L
     * consecutive slots are one vector FMA per feature with no horizontal sums; values stay
     * (capacity, hd), so the weighted sum is one vector FMA per slot and L features. Four
     * independent accumulators in each loop hide the FMA latency.
     *
     * @param qkv    feature-major projections (rows, width); the group's queries are heads
     *               [queryHead, queryHead + group) of hd rows each, read in column {@code column}
     * @param keys   at {@code base}: this sequence and head's keys, feature d of slot s at d·capacity + s
     * @param values at {@code base}: its values, slot s at s·hd
     * @param out    feature-major (H·hd, width): the heads' results, written in column {@code column}
     */
    public static void attend(float[] qkv, int width, int column, int queryHead, int group, int headDim,
                              float[] keys, float[] values, int base, int capacity, int first, int last, float scale,
                              float[] out, AttentionScratch scratch) {
        float[] q = scratch.query;
        int count = last - first + 1;
        for (int h = queryHead; h < queryHead + group; h++) {
            for (int d = 0; d < headDim; d++) {
                q[d] = qkv[(h * headDim + d) * width + column] * scale;
            }
            scores(q, headDim, keys, base + first, capacity, count, scratch.scores);
            softmax(scratch.scores, count);
            weightedSum(scratch.scores, count, values, base + first * headDim, headDim, out, h * headDim, width, column,
                    scratch.lanes);
        }
    }

    /** 1. scores[j] = q · k(j) for the {@code count} slots whose keys start at {@code keys[start]} (stride
     *  {@code capacity} between features), four vectors of slots at a time. */
    private static void scores(float[] q, int headDim, float[] keys, int start, int capacity, int count,
                               float[] scores) {
        int j = 0;
        for (; j + 4 * L <= count; j += 4 * L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int d = 0, k = start + j; d < headDim; d++, k += capacity) {
                FloatVector qd = FloatVector.broadcast(F, q[d]);
                a0 = qd.fma(FloatVector.fromArray(F, keys, k), a0);
                a1 = qd.fma(FloatVector.fromArray(F, keys, k + L), a1);
                a2 = qd.fma(FloatVector.fromArray(F, keys, k + 2 * L), a2);
                a3 = qd.fma(FloatVector.fromArray(F, keys, k + 3 * L), a3);
            }
            a0.intoArray(scores, j);
            a1.intoArray(scores, j + L);
            a2.intoArray(scores, j + 2 * L);
            a3.intoArray(scores, j + 3 * L);
        }
        for (; j + L <= count; j += L) {
            FloatVector a0 = FloatVector.zero(F);
            for (int d = 0, k = start + j; d < headDim; d++, k += capacity) {
                a0 = FloatVector.broadcast(F, q[d]).fma(FloatVector.fromArray(F, keys, k), a0);
            }
            a0.intoArray(scores, j);
        }
        for (; j < count; j++) {
            float score = 0;
            for (int d = 0, k = start + j; d < headDim; d++, k += capacity) {
                score += q[d] * keys[k];
            }
            scores[j] = score;
        }
    }

    /** 2. scores[0, count) ← exp(score − max) / Σ exp(score − max). */
    private static void softmax(float[] scores, int count) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < count; j++) {
            max = Math.max(max, scores[j]);
        }
        float total = 0;
        int j = 0;
        for (; j < F.loopBound(count); j += L) {
            FloatVector e = FloatVector.fromArray(F, scores, j).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(scores, j);
            total += e.reduceLanes(VectorOperators.ADD);
        }
        for (; j < count; j++) {
            scores[j] = (float) Math.exp(scores[j] - max);
            total += scores[j];
        }
        float inverseTotal = 1f / total;
        for (j = 0; j < count; j++) {
            scores[j] *= inverseTotal;
        }
    }

    /** 3. out rows [outRow, outRow + hd) of {@code column} = Σ_j p_j · v(j), four vectors of features at a time. */
    private static void weightedSum(float[] p, int count, float[] values, int start, int headDim, float[] out,
                                    int outRow, int width, int column, float[] lanes) {
        int d = 0;
        for (; d + 4 * L <= headDim; d += 4 * L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int j = 0, v = start + d; j < count; j++, v += headDim) {
                FloatVector pj = FloatVector.broadcast(F, p[j]);
                a0 = FloatVector.fromArray(F, values, v).fma(pj, a0);
                a1 = FloatVector.fromArray(F, values, v + L).fma(pj, a1);
                a2 = FloatVector.fromArray(F, values, v + 2 * L).fma(pj, a2);
                a3 = FloatVector.fromArray(F, values, v + 3 * L).fma(pj, a3);
            }
            store(a0, out, outRow + d, width, column, lanes);
            store(a1, out, outRow + d + L, width, column, lanes);
            store(a2, out, outRow + d + 2 * L, width, column, lanes);
            store(a3, out, outRow + d + 3 * L, width, column, lanes);
        }
        for (; d < headDim; d++) {
            float sum = 0;
            for (int j = 0; j < count; j++) {
                sum += p[j] * values[start + j * headDim + d];
            }
            out[(outRow + d) * width + column] = sum;
        }
    }

    /** Writes the lanes of {@code v} into rows [row, row + L) of column {@code column}. */
    private static void store(FloatVector v, float[] out, int row, int width, int column, float[] lanes) {
        v.intoArray(lanes, 0);
        for (int lane = 0; lane < L; lane++) {
            out[(row + lane) * width + column] = lanes[lane];
        }
    }
}
