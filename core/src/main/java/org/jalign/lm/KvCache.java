package org.jalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer, preallocated once at full capacity and written in place: a
 * decode step costs two slice copies per layer and no allocation of cache memory (HF's default
 * DynamicCache re-allocates with torch.cat every step).
 *
 * <p>Slots are shared by the batch: slot s of every row holds the token fed at step s, pads
 * included; the attention mask says which slots are real.
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;   // per layer (B, KV, capacity, hd)
    private final NDArray[] values; // per layer (B, KV, capacity, hd)
    private final int capacity;
    private int length;

    public KvCache(NDManager manager, int layers, int batch, int kvHeads, int capacity, int headDim) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("cache capacity must be > 0, got " + capacity);
        }
        this.capacity = capacity;
        keys = new NDArray[layers];
        values = new NDArray[layers];
        Shape shape = new Shape(batch, kvHeads, capacity, headDim);
        for (int i = 0; i < layers; i++) {
            keys[i] = manager.zeros(shape, DataType.FLOAT32);
            values[i] = manager.zeros(shape, DataType.FLOAT32);
        }
    }

    /** Slots filled so far (the past length seen by the next forward). */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Writes this step's keys and values (B, KV, T, hd) of {@code layer} at slots
     * [length, length+T) and returns views of all filled slots [0, length+T).
     */
    public NDArray[] append(int layer, NDArray stepKeys, NDArray stepValues) {
        int t = (int) stepKeys.getShape().get(2);
        if (length + t > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + t + " > capacity " + capacity);
        }
        // index builders, not format strings: parsing ":, :, a:b" costs more than the copy itself
        NDIndex slots = new NDIndex().addAllDim().addAllDim().addSliceDim(length, length + t);
        keys[layer].set(slots, stepKeys);
        values[layer].set(slots, stepValues);
        NDIndex filled = new NDIndex().addAllDim().addAllDim().addSliceDim(0, length + t);
        NDManager m = stepKeys.getManager();
        return new NDArray[] {keys[layer].get(m, filled), values[layer].get(m, filled)};
    }

    /** Called by the model after all layers saw a step of {@code t} tokens. */
    public void advance(int t) {
        length += t;
    }

    /** Layer {@code layer}'s keys (B, KV, capacity, hd), copied to the host (a Java decode path's cache). */
    public float[] hostKeys(int layer) {
        return keys[layer].toFloatArray();
    }

    /** Layer {@code layer}'s values (B, KV, capacity, hd), copied to the host. */
    public float[] hostValues(int layer) {
        return values[layer].toFloatArray();
    }

    /** Keeps only the given batch rows (finished sequences leave the batch). */
    public void selectRows(NDArray rowIndices) {
        for (int i = 0; i < keys.length; i++) {
            NDArray k = keys[i].get(new NDIndex("{}", rowIndices));
            NDArray v = values[i].get(new NDIndex("{}", rowIndices));
            keys[i].close();
            values[i].close();
            keys[i] = k;
            values[i] = v;
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            keys[i].close();
            values[i].close();
        }
    }
}
