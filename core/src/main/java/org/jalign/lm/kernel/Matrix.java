package org.jalign.lm.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A row-major float32 matrix [rows, columns] read through a native-order {@link ByteBuffer}:
 * either a direct view of memory owned elsewhere (a DJL tensor's storage, so weights updated in
 * place are seen without a copy) or a buffer of its own. A vector is a matrix of one column.
 *
 * <p>ByteBuffers index with {@code int}: a matrix holds at most 2³¹ − 1 bytes (512 M floats).
 */
public record Matrix(ByteBuffer data, int rows, int columns) {

    public Matrix {
        if (rows < 0 || columns < 0) {
            throw new IllegalArgumentException("matrix shape must be >= 0, got " + rows + " x " + columns);
        }
        if (data.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("matrix data must be in native byte order");
        }
        if ((long) rows * columns * Float.BYTES > data.capacity()) {
            throw new IllegalArgumentException("a " + rows + " x " + columns + " matrix needs "
                    + (long) rows * columns * Float.BYTES + " bytes, the buffer has " + data.capacity());
        }
    }

    /** A matrix holding a copy of {@code values} (row-major). */
    public static Matrix copyOf(float[] values, int rows, int columns) {
        if (values.length != rows * columns) {
            throw new IllegalArgumentException(values.length + " values for a " + rows + " x " + columns + " matrix");
        }
        ByteBuffer b = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(values);
        return new Matrix(b, rows, columns);
    }

    /** True when a matrix of this shape fits a ByteBuffer's int index. */
    public static boolean fits(long rows, long columns) {
        return rows * columns * Float.BYTES <= Integer.MAX_VALUE;
    }

    public float get(int row, int column) {
        return data.getFloat((row * columns + column) * Float.BYTES);
    }
}
