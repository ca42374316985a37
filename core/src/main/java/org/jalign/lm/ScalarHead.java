package org.jalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.jalign.lm.safetensors.DType;
import org.jalign.lm.safetensors.SafetensorsFile;
import org.jalign.lm.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A linear map from the LM's final hidden state to one number: a reward model's score or PPO's
 * value estimate. y = w·h + b.
 *
 * <p>Initialisation follows "The N implementation details of RLHF with PPO" (Huang et al. 2022,
 * detail on reward and value heads): the reward head's weight ~ N(0, 1/√(C+1)) with zero bias;
 * the value head all zeros, so the first value estimates are 0 and the first value loss is the
 * plain return.
 */
public final class ScalarHead implements AutoCloseable {
    private final NDManager manager;
    private final NDArray weight; // (C)
    private final NDArray bias;   // ()

    private ScalarHead(NDManager manager, NDArray weight, NDArray bias) {
        this.manager = manager;
        this.weight = weight;
        this.bias = bias;
    }

    /** A reward head: weight N(0, 1/√(hidden+1)), bias 0. */
    public static ScalarHead reward(int hidden, long seed, NDManager parent) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] w = new float[hidden];
        double std = 1.0 / Math.sqrt(hidden + 1);
        for (int i = 0; i < hidden; i++) {
            w[i] = (float) (random.nextGaussian() * std);
        }
        NDManager m = parent.newSubManager();
        return new ScalarHead(m, m.create(w, new Shape(hidden)), m.create(0f));
    }

    /** A value head: all zeros. */
    public static ScalarHead value(int hidden, NDManager parent) {
        NDManager m = parent.newSubManager();
        return new ScalarHead(m, m.zeros(new Shape(hidden), DataType.FLOAT32), m.create(0f));
    }

    /** y for every position: hidden (B, T, C) → (B, T). */
    public NDArray perToken(NDArray hidden) {
        return hidden.matMul(weight).add(bias);
    }

    /**
     * y at each row's last real token (the reward model reads the end of prompt + response): the
     * highest position with mask 1, so left- and right-padded rows are both read correctly.
     *
     * @param hidden        (B, T, C)
     * @param attentionMask (B, T), 1 for real tokens
     * @return (B)
     */
    public NDArray atLastToken(NDArray hidden, NDArray attentionMask) {
        long t = attentionMask.getShape().get(1);
        NDManager m = hidden.getManager();
        NDArray positions = m.arange(0f, (float) t).reshape(1, t);
        NDArray last = attentionMask.toType(DataType.FLOAT32, false).mul(positions)
                .max(new int[] {1}).toType(DataType.INT64, false);                  // (B)
        NDArray values = perToken(hidden);                                              // (B, T)
        return values.gather(last.reshape(-1, 1), 1).reshape(-1);
    }

    /** w and b: the head's trainable arrays. */
    public List<Parameter> parameters(String prefix) {
        return List.of(new Parameter(prefix + ".weight", weight), new Parameter(prefix + ".bias", bias));
    }

    /** Writes the head as safetensors ({@code name.weight} [1, C], {@code name.bias} [1], HF's score layout). */
    public void save(Path file, String name) throws IOException {
        long hidden = weight.getShape().get(0);
        SafetensorsWriter.write(file, List.of(
                new SafetensorsWriter.Entry(name + ".weight", DType.F32, new long[] {1, hidden}, weight.toFloatArray()),
                new SafetensorsWriter.Entry(name + ".bias", DType.F32, new long[] {1}, bias.toFloatArray())),
                Map.of("format", "pt"));
    }

    /** Reads a head written by {@link #save}; errors name the file and tensor. */
    public static ScalarHead load(Path file, String name, int hidden, NDManager parent) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String key : List.of(name + ".weight", name + ".bias")) {
                if (!f.contains(key)) {
                    throw new IOException(file + ": missing tensor \"" + key + "\"");
                }
            }
            long[] shape = f.info(name + ".weight").shape();
            if (shape.length != 2 || shape[0] != 1 || shape[1] != hidden) {
                throw new IOException(file + ": tensor \"" + name + ".weight\" has shape " + java.util.Arrays.toString(shape)
                        + ", expected [1, " + hidden + "]");
            }
            NDManager m = parent.newSubManager();
            return new ScalarHead(m, m.create(f.readFloats(name + ".weight"), new Shape(hidden)),
                    m.create(f.readFloats(name + ".bias")[0]));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
