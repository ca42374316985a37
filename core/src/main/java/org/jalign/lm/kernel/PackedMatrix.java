package org.jalign.lm.kernel;

import java.nio.FloatBuffer;

/**
 * A copy of a row-major float32 {@link Matrix} laid out for {@link PackedMatMul}: rows in blocks of
 * {@link #BLOCK}, each block stored input-major with its four weights of one input adjacent,
 * {@code data[(block · columns + i) · 4 + r] = A[4·block + r][i]}; the last {@code rows mod 4} rows
 * follow row-major.
 *
 * <p>Why a copy: the thin product broadcasts one weight per FMA pair, and reading it from a heap
 * array lets C2 hoist the range checks out of the loop and fold the load into the broadcast, where a
 * direct ByteBuffer pays an index check and address arithmetic per weight. Measured on 2-core AVX2
 * (one thread, B = 16, 512 → 1536 and 1408 → 512): 60–69 GFLOP/s against 40–45 in place. The four
 * weights a step of the kernel reads are also one 16-byte load apart instead of four rows apart.
 *
 * <p>The copy is a snapshot: weights changed later (an optimizer step) are not seen, so a copy
 * lives no longer than one decode session.
 */
public final class PackedMatrix {
    /** Rows per interleaved block: the kernel's row tile. */
    public static final int BLOCK = 4;

    private final float[] data;
    private final int rows;
    private final int columns;

    private PackedMatrix(float[] data, int rows, int columns) {
        this.data = data;
        this.rows = rows;
        this.columns = columns;
    }

    /** True when a {@code rows × columns} matrix fits one Java array. */
    public static boolean fits(long rows, long columns) {
        return rows * columns <= Integer.MAX_VALUE - 8;
    }

    /** Packs {@code m}, its blocks spread over {@code workers}. */
    public static PackedMatrix pack(Workers workers, Matrix m) {
        int rows = m.rows();
        int columns = m.columns();
        if (!fits(rows, columns)) {
            throw new IllegalArgumentException("a " + rows + " x " + columns + " matrix does not fit one Java array");
        }
        float[] data = new float[rows * columns];
        int blocks = rows / BLOCK;
        int blocksPerChunk = Math.max(1, (1 << 16) / Math.max(1, columns * BLOCK));
        int chunks = (blocks + blocksPerChunk - 1) / blocksPerChunk;
        workers.run(chunks, (chunk, worker) -> {
            FloatBuffer source = m.data().asFloatBuffer();   // a view per chunk: buffers are not thread-safe
            float[] row = new float[columns];
            for (int b = chunk * blocksPerChunk; b < Math.min(blocks, (chunk + 1) * blocksPerChunk); b++) {
                for (int r = 0; r < BLOCK; r++) {
                    source.get((b * BLOCK + r) * columns, row);
                    for (int i = 0, at = b * columns * BLOCK + r; i < columns; i++, at += BLOCK) {
                        data[at] = row[i];
                    }
                }
            }
        });
        int tail = blocks * BLOCK;
        m.data().asFloatBuffer().get(tail * columns, data, tail * columns, (rows - tail) * columns);
        return new PackedMatrix(data, rows, columns);
    }

    public int rows() {
        return rows;
    }

    public int columns() {
        return columns;
    }

    /** A[row][column], read from the packed layout (for tests and checks, not the kernel). */
    public float get(int row, int column) {
        int tail = rows / BLOCK * BLOCK;
        if (row >= tail) {
            return data[row * columns + column];
        }
        return data[(row / BLOCK * columns + column) * BLOCK + row % BLOCK];
    }

    float[] data() {
        return data;
    }
}
