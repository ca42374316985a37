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
     * Logits from hidden states (…, C) and a [V, C] output matrix. Few rows (decoding): W·Hᵀ with
     * the large matrix as the left operand, which MKL streams without packing it; many rows
     * (scoring): H·Wᵀ, whose (M, V) result is contiguous for the log-softmax that follows.
     */
    public static NDArray logits(NDArray hidden, NDArray head) {
        ai.djl.ndarray.types.Shape shape = hidden.getShape();
        long c = head.getShape().get(1);
        long rows = shape.size() / c;
        ai.djl.ndarray.types.Shape out = shape.slice(0, shape.dimension() - 1).add(head.getShape().get(0));
        NDArray flat = hidden.reshape(rows, c);
        if (rows >= 64) {
            return flat.matMul(head.transpose()).reshape(out);
        }
        NDArray logits = head.matMul(flat.transpose());
        logits.attach(hidden.getManager());
        return logits.transpose().reshape(out);
    }

    /** Row-major values of {@code array} rows [from, to) (a fused matrix's part), on the host. */
    public static float[] rows(NDArray array, long from, long to) {
        return array.get(new ai.djl.ndarray.index.NDIndex().addSliceDim(from, to)).toFloatArray();
    }
}
