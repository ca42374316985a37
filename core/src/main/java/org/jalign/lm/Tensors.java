package org.jalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;

/** Loading helpers shared by the architecture packages. */
public final class Tensors {
    private Tensors() {
    }

    /** {@code name} from {@code source}, shape-checked, as a float32 array on {@code m}. */
    public static NDArray load(NDManager m, TensorSource source, String name, long... shape) throws IOException {
        return m.create(source.readChecked(name, shape), new Shape(shape));
    }

    /**
     * A contiguous transposed copy of a 2-D array; the input is closed. DJL has no
     * {@code contiguous()}, and a transposed view would make every matmul read strided memory.
     */
    public static NDArray transposed(NDArray matrix) {
        float[] values = matrix.toFloatArray();
        int rows = Math.toIntExact(matrix.getShape().get(0));
        int cols = Math.toIntExact(matrix.getShape().get(1));
        float[] t = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = values[r * cols + c];
            }
        }
        NDArray result = matrix.getManager().create(t, new Shape(cols, rows));
        matrix.close();
        return result;
    }
}
