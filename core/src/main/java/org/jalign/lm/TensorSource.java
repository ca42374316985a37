package org.jalign.lm;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Named float tensors a model is built from: a checkpoint on disk or weights in memory.
 * Names are Hugging Face's; every read checks the shape the architecture expects.
 */
public interface TensorSource {

    boolean contains(String name);

    /** The stored shape of {@code name}. */
    long[] shape(String name) throws IOException;

    /** The values of {@code name}, row-major, converted to float32. */
    float[] read(String name) throws IOException;

    /** Where the tensors come from, for error messages (a path, or "in-memory weights"). */
    String description();

    /** All tensor names. */
    List<String> names();

    /**
     * Reads {@code name} and checks that it has shape {@code expected}; errors name the tensor,
     * the source and both shapes.
     */
    default float[] readChecked(String name, long... expected) throws IOException {
        if (!contains(name)) {
            throw new IOException(description() + ": missing tensor \"" + name + "\" (expected shape "
                    + Arrays.toString(expected) + ")");
        }
        long[] actual = shape(name);
        if (!Arrays.equals(actual, expected)) {
            throw new IOException(description() + ": tensor \"" + name + "\" has shape " + Arrays.toString(actual)
                    + " but the config implies " + Arrays.toString(expected));
        }
        return read(name);
    }

    /** The tensors of a safetensors checkpoint directory (single file or sharded). */
    static TensorSource of(org.jalign.lm.safetensors.Checkpoint checkpoint) {
        return CheckpointTensors.of(checkpoint);
    }

    /** Weights held in memory, e.g. a freshly initialised model. */
    static TensorSource of(Map<String, float[]> values, Map<String, long[]> shapes) {
        return new TensorSource() {
            @Override
            public boolean contains(String name) {
                return values.containsKey(name);
            }

            @Override
            public long[] shape(String name) {
                long[] s = shapes.get(name);
                if (s == null) {
                    throw new IllegalArgumentException("no shape for tensor \"" + name + "\"");
                }
                return s.clone();
            }

            @Override
            public float[] read(String name) {
                return values.get(name);
            }

            @Override
            public String description() {
                return "in-memory weights";
            }

            @Override
            public List<String> names() {
                return List.copyOf(values.keySet());
            }
        };
    }
}
