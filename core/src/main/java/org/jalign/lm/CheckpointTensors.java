package org.jalign.lm;

import org.jalign.lm.safetensors.Checkpoint;

import java.io.IOException;
import java.util.List;

/** A {@link TensorSource} over a safetensors checkpoint directory. */
final class CheckpointTensors {
    private CheckpointTensors() {
    }

    static TensorSource of(Checkpoint checkpoint) {
        return new TensorSource() {
            @Override
            public boolean contains(String name) {
                return checkpoint.contains(name);
            }

            @Override
            public long[] shape(String name) throws IOException {
                return checkpoint.info(name).shape();
            }

            @Override
            public float[] read(String name) throws IOException {
                return checkpoint.readFloats(name);
            }

            @Override
            public String description() {
                return checkpoint.dir().toString();
            }

            @Override
            public List<String> names() {
                return checkpoint.names();
            }
        };
    }
}
