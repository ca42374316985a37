package org.jalign.lm.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;

/**
 * {@link MatMul}'s broadcast kernel over a {@link PackedMatrix}: Y (out, W) = A·X (+ bias), or
 * Y += A·X (+ bias), with the same tiles (four rows × 2·L columns in eight accumulators, or eight
 * rows × L columns) and the same order of operations, so the results equal {@link MatMul#multiply}'s
 * bit for bit. Only the place the weights are read from differs: one heap array, the four weights of
 * one input adjacent.
 */
public final class PackedMatMul {
    private static final VectorSpecies<Float> F = MatMul.F;
    private static final int L = MatMul.LANES;
    private static final int B = PackedMatrix.BLOCK;
    /** Output rows per chunk handed to a worker: a multiple of the block. */
    private static final int ROWS_PER_CHUNK = 32;

    private PackedMatMul() {
    }

    /**
     * Y = A·X (+ bias), or Y += A·X (+ bias) when {@code accumulate}, spread over {@code workers}.
     *
     * @param x (in, width) feature-major, in = a.columns(), width a multiple of {@link MatMul#LANES}
     * @param y (out, width), out = a.rows()
     * @param bias (out) or null
     */
    public static void multiply(Workers workers, PackedMatrix a, Matrix bias, float[] x, float[] y, int width,
                                boolean accumulate) {
        MatMul.check(a.rows(), a.columns(), bias, x, y, width);
        int chunks = (a.rows() + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
        ByteBuffer b = bias == null ? null : bias.data();
        workers.run(chunks, (chunk, worker) -> rows(a, b, x, y, width, chunk * ROWS_PER_CHUNK,
                Math.min(a.rows(), (chunk + 1) * ROWS_PER_CHUNK), accumulate));
    }

    /** Output rows [from, to), from a multiple of the block, on the calling thread. */
    private static void rows(PackedMatrix a, ByteBuffer bias, float[] x, float[] y, int width, int from, int to,
                             boolean accumulate) {
        int blocked = Math.min(to, a.rows() / B * B);
        for (int p = 0; p < width; ) {
            if (p + 2 * L <= width) {
                panel2(a.data(), a.columns(), bias, x, y, width, p, from, blocked, accumulate);
                p += 2 * L;
            } else {
                panel1(a.data(), a.columns(), bias, x, y, width, p, from, blocked, accumulate);
                p += L;
            }
        }
        for (int o = Math.max(from, blocked); o < to; o++) {
            single(a.data(), a.columns(), bias, x, y, width, o, accumulate);
        }
    }

    /**
     * Its own copy of {@code MatMul.start}, on purpose: delegating to it (one more call level)
     * made C2 sometimes compile panel2 with its accumulators boxed, ~17x slower (4 of 7 bench runs
     * at 55-60 tokens/s instead of ~1000, JFR: 96% of samples in panel2).
     */
    private static FloatVector start(float[] y, int index, ByteBuffer bias, int row, boolean accumulate) {
        FloatVector v = accumulate ? FloatVector.fromArray(F, y, index) : FloatVector.zero(F);
        return bias == null ? v : v.add(bias.getFloat(row * Float.BYTES));
    }

    /** Columns [p, p + 2L) of the blocks in rows [from, to): 4 × 2 accumulators per block. */
    private static void panel2(float[] w, int in, ByteBuffer bias, float[] x, float[] y, int width, int p, int from,
                               int to, boolean accumulate) {
        for (int o = from; o < to; o += B) {
            int y0 = o * width + p;
            int y1 = y0 + width;
            int y2 = y1 + width;
            int y3 = y2 + width;
            FloatVector a0 = start(y, y0, bias, o, accumulate);
            FloatVector a1 = start(y, y0 + L, bias, o, accumulate);
            FloatVector b0 = start(y, y1, bias, o + 1, accumulate);
            FloatVector b1 = start(y, y1 + L, bias, o + 1, accumulate);
            FloatVector c0 = start(y, y2, bias, o + 2, accumulate);
            FloatVector c1 = start(y, y2 + L, bias, o + 2, accumulate);
            FloatVector d0 = start(y, y3, bias, o + 3, accumulate);
            FloatVector d1 = start(y, y3 + L, bias, o + 3, accumulate);
            for (int i = 0, xi = p, wi = o * in; i < in; i++, xi += width, wi += B) {
                FloatVector x0 = FloatVector.fromArray(F, x, xi);
                FloatVector x1 = FloatVector.fromArray(F, x, xi + L);
                FloatVector v = FloatVector.broadcast(F, w[wi]);
                a0 = v.fma(x0, a0);
                a1 = v.fma(x1, a1);
                v = FloatVector.broadcast(F, w[wi + 1]);
                b0 = v.fma(x0, b0);
                b1 = v.fma(x1, b1);
                v = FloatVector.broadcast(F, w[wi + 2]);
                c0 = v.fma(x0, c0);
                c1 = v.fma(x1, c1);
                v = FloatVector.broadcast(F, w[wi + 3]);
                d0 = v.fma(x0, d0);
                d1 = v.fma(x1, d1);
            }
            a0.intoArray(y, y0);
            a1.intoArray(y, y0 + L);
            b0.intoArray(y, y1);
            b1.intoArray(y, y1 + L);
            c0.intoArray(y, y2);
            c1.intoArray(y, y2 + L);
            d0.intoArray(y, y3);
            d1.intoArray(y, y3 + L);
        }
    }

    /** Columns [p, p + L) of the blocks in rows [from, to): two blocks (eight rows) at a time, then one. */
    private static void panel1(float[] w, int in, ByteBuffer bias, float[] x, float[] y, int width, int p, int from,
                               int to, boolean accumulate) {
        int o = from;
        for (; o + 2 * B <= to; o += 2 * B) {
            int y0 = o * width + p;
            FloatVector a0 = start(y, y0, bias, o, accumulate);
            FloatVector a1 = start(y, y0 + width, bias, o + 1, accumulate);
            FloatVector a2 = start(y, y0 + 2 * width, bias, o + 2, accumulate);
            FloatVector a3 = start(y, y0 + 3 * width, bias, o + 3, accumulate);
            FloatVector a4 = start(y, y0 + 4 * width, bias, o + 4, accumulate);
            FloatVector a5 = start(y, y0 + 5 * width, bias, o + 5, accumulate);
            FloatVector a6 = start(y, y0 + 6 * width, bias, o + 6, accumulate);
            FloatVector a7 = start(y, y0 + 7 * width, bias, o + 7, accumulate);
            for (int i = 0, xi = p, wi = o * in, wj = (o + B) * in; i < in; i++, xi += width, wi += B, wj += B) {
                FloatVector x0 = FloatVector.fromArray(F, x, xi);
                a0 = FloatVector.broadcast(F, w[wi]).fma(x0, a0);
                a1 = FloatVector.broadcast(F, w[wi + 1]).fma(x0, a1);
                a2 = FloatVector.broadcast(F, w[wi + 2]).fma(x0, a2);
                a3 = FloatVector.broadcast(F, w[wi + 3]).fma(x0, a3);
                a4 = FloatVector.broadcast(F, w[wj]).fma(x0, a4);
                a5 = FloatVector.broadcast(F, w[wj + 1]).fma(x0, a5);
                a6 = FloatVector.broadcast(F, w[wj + 2]).fma(x0, a6);
                a7 = FloatVector.broadcast(F, w[wj + 3]).fma(x0, a7);
            }
            a0.intoArray(y, y0);
            a1.intoArray(y, y0 + width);
            a2.intoArray(y, y0 + 2 * width);
            a3.intoArray(y, y0 + 3 * width);
            a4.intoArray(y, y0 + 4 * width);
            a5.intoArray(y, y0 + 5 * width);
            a6.intoArray(y, y0 + 6 * width);
            a7.intoArray(y, y0 + 7 * width);
        }
        for (; o < to; o += B) {
            int y0 = o * width + p;
            FloatVector a0 = start(y, y0, bias, o, accumulate);
            FloatVector a1 = start(y, y0 + width, bias, o + 1, accumulate);
            FloatVector a2 = start(y, y0 + 2 * width, bias, o + 2, accumulate);
            FloatVector a3 = start(y, y0 + 3 * width, bias, o + 3, accumulate);
            for (int i = 0, xi = p, wi = o * in; i < in; i++, xi += width, wi += B) {
                FloatVector x0 = FloatVector.fromArray(F, x, xi);
                a0 = FloatVector.broadcast(F, w[wi]).fma(x0, a0);
                a1 = FloatVector.broadcast(F, w[wi + 1]).fma(x0, a1);
                a2 = FloatVector.broadcast(F, w[wi + 2]).fma(x0, a2);
                a3 = FloatVector.broadcast(F, w[wi + 3]).fma(x0, a3);
            }
            a0.intoArray(y, y0);
            a1.intoArray(y, y0 + width);
            a2.intoArray(y, y0 + 2 * width);
            a3.intoArray(y, y0 + 3 * width);
        }
    }

    /** One of the last rows mod 4, stored row-major after the blocks: every column panel of L. */
    private static void single(float[] w, int in, ByteBuffer bias, float[] x, float[] y, int width, int o,
                               boolean accumulate) {
        int r0 = o * in;
        for (int p = 0; p < width; p += L) {
            int y0 = o * width + p;
            FloatVector a0 = start(y, y0, bias, o, accumulate);
            for (int i = 0, xi = p; i < in; i++, xi += width) {
                a0 = FloatVector.broadcast(F, w[r0 + i]).fma(FloatVector.fromArray(F, x, xi), a0);
            }
            a0.intoArray(y, y0);
        }
    }
}
