package org.jalign.lm.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;

/**
 * The thin matrix product of decoding: Y (out, W) = A (out, in) · X (in, W) (+ bias), with W = a
 * few columns (one per sequence in the batch) and A a weight matrix far larger than the caches.
 *
 * <p>Activations are feature-major with a row stride of {@code width}, a multiple of the vector
 * length L (columns past the batch are padding, computed and ignored). For each block of four
 * output rows and each panel of 2·L columns (or L at the end), the kernel keeps the 4 × 2 tile
 * in eight vector accumulators and walks the input dimension once: per input i it loads two
 * vectors of X's row i and broadcasts one weight of each of the four rows (register blocking as
 * in Goto and van de Geijn, "Anatomy of high-performance matrix multiplication", 2008, with the
 * weight as the broadcast operand because it is read once and X stays in L1/L2). Each weight is
 * read from memory once per panel, and exactly once for a batch of up to 2·L rows (16 with AVX2).
 *
 * <p>Results are bit-for-bit independent of how rows are split among threads: each output
 * element is one fused multiply-add chain over i in order.
 */
public final class MatMul {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Lanes per vector: column counts are padded to a multiple of this. */
    public static final int LANES = F.length();
    /** Output rows per chunk handed to a worker: large enough to amortise claiming, small enough to balance. */
    private static final int ROWS_PER_CHUNK = 32;

    private MatMul() {
    }

    /** At most this many live columns take the dot-product kernel ({@link #multiplyFew}). */
    public static final int FEW_COLUMNS = 2;

    /** {@code columns} rounded up to a multiple of {@link #LANES}. */
    public static int paddedWidth(int columns) {
        return (columns + LANES - 1) / LANES * LANES;
    }

    /**
     * Y = A·X (+ bias), or Y += A·X (+ bias) when {@code accumulate}, over all rows, spread over
     * {@code workers}.
     *
     * @param x (in, width) feature-major, in = a.columns()
     * @param y (out, width), out = a.rows()
     * @param bias (out) or null
     */
    public static void multiply(Workers workers, Matrix a, Matrix bias, float[] x, float[] y, int width,
                                boolean accumulate) {
        check(a, bias, x, y, width);
        int chunks = (a.rows() + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
        workers.run(chunks, (chunk, worker) -> rows(a, bias, x, y, width, chunk * ROWS_PER_CHUNK,
                Math.min(a.rows(), (chunk + 1) * ROWS_PER_CHUNK), accumulate));
    }

    /**
     * As {@link #multiply} for the first {@code columns} ≤ {@link #FEW_COLUMNS} columns only (the
     * others are left as they are): a batch of one or two sequences. The broadcast kernel would do
     * L/columns times the useful work; here the columns are first copied to {@code scratch}
     * (columns × in, token-major) and each output is a dot product of a weight row with a column, L
     * weights per FMA, so the product runs at the speed the weights stream from memory.
     *
     * @param scratch at least columns · in floats
     */
    public static void multiplyFew(Workers workers, Matrix a, Matrix bias, float[] x, float[] y, int width,
                                   int columns, boolean accumulate, float[] scratch) {
        check(a, bias, x, y, width);
        if (columns < 1 || columns > FEW_COLUMNS) {
            throw new IllegalArgumentException("columns must be in [1, " + FEW_COLUMNS + "], got " + columns);
        }
        int in = a.columns();
        for (int b = 0; b < columns; b++) {
            for (int i = 0; i < in; i++) {
                scratch[b * in + i] = x[i * width + b];
            }
        }
        int chunks = (a.rows() + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
        workers.run(chunks, (chunk, worker) -> dotRows(a, bias, scratch, columns, y, width,
                chunk * ROWS_PER_CHUNK, Math.min(a.rows(), (chunk + 1) * ROWS_PER_CHUNK), accumulate));
    }

    /** y[o][b] (+)= A[o] · columns[b] (+ bias[o]) for rows [from, to), four rows at a time. */
    private static void dotRows(Matrix a, Matrix bias, float[] columns, int count, float[] y, int width, int from,
                                int to, boolean accumulate) {
        ByteBuffer w = a.data();
        int in = a.columns();
        int bound = F.loopBound(in);
        int rowBytes = in * Float.BYTES;
        int o = from;
        for (; o + 4 <= to; o += 4) {
            int r0 = o * rowBytes;
            for (int b = 0; b < count; b++) {
                int c = b * in;
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                int i = 0;
                for (; i < bound; i += LANES) {
                    FloatVector xv = FloatVector.fromArray(F, columns, c + i);
                    int at = r0 + i * Float.BYTES;
                    a0 = FloatVector.fromByteBuffer(F, w, at, java.nio.ByteOrder.nativeOrder()).fma(xv, a0);
                    a1 = FloatVector.fromByteBuffer(F, w, at + rowBytes, java.nio.ByteOrder.nativeOrder()).fma(xv, a1);
                    a2 = FloatVector.fromByteBuffer(F, w, at + 2 * rowBytes, java.nio.ByteOrder.nativeOrder()).fma(xv, a2);
                    a3 = FloatVector.fromByteBuffer(F, w, at + 3 * rowBytes, java.nio.ByteOrder.nativeOrder()).fma(xv, a3);
                }
                float s0 = a0.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                float s1 = a1.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                float s2 = a2.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                float s3 = a3.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                for (; i < in; i++) {
                    float xi = columns[c + i];
                    int at = r0 + i * Float.BYTES;
                    s0 += w.getFloat(at) * xi;
                    s1 += w.getFloat(at + rowBytes) * xi;
                    s2 += w.getFloat(at + 2 * rowBytes) * xi;
                    s3 += w.getFloat(at + 3 * rowBytes) * xi;
                }
                finish(y, o * width + b, s0, bias, o, accumulate);
                finish(y, (o + 1) * width + b, s1, bias, o + 1, accumulate);
                finish(y, (o + 2) * width + b, s2, bias, o + 2, accumulate);
                finish(y, (o + 3) * width + b, s3, bias, o + 3, accumulate);
            }
        }
        for (; o < to; o++) {
            int r0 = o * rowBytes;
            for (int b = 0; b < count; b++) {
                float s0 = 0;
                for (int i = 0; i < in; i++) {
                    s0 += w.getFloat(r0 + i * Float.BYTES) * columns[b * in + i];
                }
                finish(y, o * width + b, s0, bias, o, accumulate);
            }
        }
    }

    private static void finish(float[] y, int index, float sum, Matrix bias, int row, boolean accumulate) {
        float value = bias == null ? sum : sum + bias.data().getFloat(row * Float.BYTES);
        y[index] = accumulate ? y[index] + value : value;
    }

    /** As {@link #multiply}, on the calling thread only, for output rows [from, to). */
    public static void rows(Matrix a, Matrix bias, float[] x, float[] y, int width, int from, int to,
                            boolean accumulate) {
        ByteBuffer w = a.data();
        int in = a.columns();
        ByteBuffer b = bias == null ? null : bias.data();
        for (int p = 0; p < width; ) {
            if (p + 2 * LANES <= width) {
                panel2(w, in, b, x, y, width, p, from, to, accumulate);
                p += 2 * LANES;
            } else {
                panel1(w, in, b, x, y, width, p, from, to, accumulate);
                p += LANES;
            }
        }
    }

    private static void check(Matrix a, Matrix bias, float[] x, float[] y, int width) {
        check(a.rows(), a.columns(), bias, x, y, width);
    }

    /** Checks the operands of a (rows × columns) product of {@code width} columns. */
    static void check(int rows, int columns, Matrix bias, float[] x, float[] y, int width) {
        if (width <= 0 || width % LANES != 0) {
            throw new IllegalArgumentException("width must be a positive multiple of " + LANES + ", got " + width);
        }
        if ((long) columns * width > x.length || (long) rows * width > y.length) {
            throw new IllegalArgumentException("x holds " + x.length + " and y " + y.length + " floats; a "
                    + rows + " x " + columns + " product of width " + width + " needs "
                    + (long) columns * width + " and " + (long) rows * width);
        }
        if (bias != null && bias.rows() * bias.columns() != rows) {
            throw new IllegalArgumentException("bias has " + bias.rows() * bias.columns() + " values for "
                    + rows + " rows");
        }
    }

    /** An accumulator's starting value: y's current lanes when accumulating, else 0, plus the row's bias. */
    private static FloatVector start(float[] y, int index, ByteBuffer bias, int row, boolean accumulate) {
        FloatVector v = accumulate ? FloatVector.fromArray(F, y, index) : FloatVector.zero(F);
        return bias == null ? v : v.add(bias.getFloat(row * Float.BYTES));
    }

    /** Columns [p, p + 2L): four rows at a time in 4 × 2 accumulators, then single rows. */
    private static void panel2(ByteBuffer w, int in, ByteBuffer bias, float[] x, float[] y, int width, int p,
                               int from, int to, boolean accumulate) {
        int o = from;
        for (; o + 4 <= to; o += 4) {
            int y0 = o * width + p;
            int y1 = y0 + width;
            int y2 = y1 + width;
            int y3 = y2 + width;
            FloatVector a0 = start(y, y0, bias, o, accumulate);
            FloatVector a1 = start(y, y0 + LANES, bias, o, accumulate);
            FloatVector b0 = start(y, y1, bias, o + 1, accumulate);
            FloatVector b1 = start(y, y1 + LANES, bias, o + 1, accumulate);
            FloatVector c0 = start(y, y2, bias, o + 2, accumulate);
            FloatVector c1 = start(y, y2 + LANES, bias, o + 2, accumulate);
            FloatVector d0 = start(y, y3, bias, o + 3, accumulate);
            FloatVector d1 = start(y, y3 + LANES, bias, o + 3, accumulate);
            int r0 = o * in * Float.BYTES;
            int r1 = r0 + in * Float.BYTES;
            int r2 = r1 + in * Float.BYTES;
            int r3 = r2 + in * Float.BYTES;
            for (int i = 0, xi = p; i < in; i++, xi += width) {
                FloatVector x0 = FloatVector.fromArray(F, x, xi);
                FloatVector x1 = FloatVector.fromArray(F, x, xi + LANES);
                int byteOffset = i * Float.BYTES;
                FloatVector v = FloatVector.broadcast(F, w.getFloat(r0 + byteOffset));
                a0 = v.fma(x0, a0);
                a1 = v.fma(x1, a1);
                v = FloatVector.broadcast(F, w.getFloat(r1 + byteOffset));
                b0 = v.fma(x0, b0);
                b1 = v.fma(x1, b1);
                v = FloatVector.broadcast(F, w.getFloat(r2 + byteOffset));
                c0 = v.fma(x0, c0);
                c1 = v.fma(x1, c1);
                v = FloatVector.broadcast(F, w.getFloat(r3 + byteOffset));
                d0 = v.fma(x0, d0);
                d1 = v.fma(x1, d1);
            }
            a0.intoArray(y, y0);
            a1.intoArray(y, y0 + LANES);
            b0.intoArray(y, y1);
            b1.intoArray(y, y1 + LANES);
            c0.intoArray(y, y2);
            c1.intoArray(y, y2 + LANES);
            d0.intoArray(y, y3);
            d1.intoArray(y, y3 + LANES);
        }
        for (; o < to; o++) {
            int y0 = o * width + p;
            FloatVector a0 = start(y, y0, bias, o, accumulate);
            FloatVector a1 = start(y, y0 + LANES, bias, o, accumulate);
            int r0 = o * in * Float.BYTES;
            for (int i = 0, xi = p; i < in; i++, xi += width) {
                FloatVector v = FloatVector.broadcast(F, w.getFloat(r0 + i * Float.BYTES));
                a0 = v.fma(FloatVector.fromArray(F, x, xi), a0);
                a1 = v.fma(FloatVector.fromArray(F, x, xi + LANES), a1);
            }
            a0.intoArray(y, y0);
            a1.intoArray(y, y0 + LANES);
        }
    }

    /** Columns [p, p + L): eight rows at a time (eight independent FMA chains), then single rows. */
    private static void panel1(ByteBuffer w, int in, ByteBuffer bias, float[] x, float[] y, int width, int p,
                               int from, int to, boolean accumulate) {
        int o = from;
        int rowBytes = in * Float.BYTES;
        for (; o + 8 <= to; o += 8) {
            int y0 = o * width + p;
            FloatVector a0 = start(y, y0, bias, o, accumulate);
            FloatVector a1 = start(y, y0 + width, bias, o + 1, accumulate);
            FloatVector a2 = start(y, y0 + 2 * width, bias, o + 2, accumulate);
            FloatVector a3 = start(y, y0 + 3 * width, bias, o + 3, accumulate);
            FloatVector a4 = start(y, y0 + 4 * width, bias, o + 4, accumulate);
            FloatVector a5 = start(y, y0 + 5 * width, bias, o + 5, accumulate);
            FloatVector a6 = start(y, y0 + 6 * width, bias, o + 6, accumulate);
            FloatVector a7 = start(y, y0 + 7 * width, bias, o + 7, accumulate);
            int r0 = o * rowBytes;
            for (int i = 0, xi = p; i < in; i++, xi += width) {
                FloatVector x0 = FloatVector.fromArray(F, x, xi);
                int at = r0 + i * Float.BYTES;
                a0 = FloatVector.broadcast(F, w.getFloat(at)).fma(x0, a0);
                a1 = FloatVector.broadcast(F, w.getFloat(at + rowBytes)).fma(x0, a1);
                a2 = FloatVector.broadcast(F, w.getFloat(at + 2 * rowBytes)).fma(x0, a2);
                a3 = FloatVector.broadcast(F, w.getFloat(at + 3 * rowBytes)).fma(x0, a3);
                a4 = FloatVector.broadcast(F, w.getFloat(at + 4 * rowBytes)).fma(x0, a4);
                a5 = FloatVector.broadcast(F, w.getFloat(at + 5 * rowBytes)).fma(x0, a5);
                a6 = FloatVector.broadcast(F, w.getFloat(at + 6 * rowBytes)).fma(x0, a6);
                a7 = FloatVector.broadcast(F, w.getFloat(at + 7 * rowBytes)).fma(x0, a7);
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
        for (; o < to; o++) {
            int y0 = o * width + p;
            FloatVector a0 = start(y, y0, bias, o, accumulate);
            int r0 = o * rowBytes;
            for (int i = 0, xi = p; i < in; i++, xi += width) {
                a0 = FloatVector.broadcast(F, w.getFloat(r0 + i * Float.BYTES)).fma(FloatVector.fromArray(F, x, xi), a0);
            }
            a0.intoArray(y, y0);
        }
    }
}
